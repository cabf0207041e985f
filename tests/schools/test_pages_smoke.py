from django.urls import reverse


def test_admin_sees_school_list_and_detail(world, login):
    client = login(world.admin)
    response = client.get(reverse("schools:list"))
    assert response.status_code == 200
    assert "湖滨小学" in response.content.decode()
    assert "玄武小学" not in response.content.decode()
    response = client.get(reverse("schools:detail", args=[world.school.pk]))
    assert response.status_code == 200
    assert "张督学" in response.content.decode()
