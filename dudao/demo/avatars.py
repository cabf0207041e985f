"""Placeholder portraits for demo inspectors: a flat background and a head-and-shoulders
silhouette, 3:4, as JPEG. Deterministic: the same random generator state gives the same
bytes (no text, no fonts, no current time)."""

import io
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 300, 400

# Soft backgrounds (as on ID photos: blue, white-grey, pale tones) and darker silhouettes.
BACKGROUNDS = [
    (67, 142, 219),
    (120, 170, 220),
    (225, 228, 232),
    (200, 222, 205),
    (236, 220, 196),
    (214, 206, 230),
    (190, 210, 225),
]
SILHOUETTES = [(52, 63, 82), (70, 78, 92), (88, 84, 96), (60, 72, 70), (95, 80, 72)]


def _darker(colour, amount=0.18):
    return tuple(max(0, int(c * (1 - amount))) for c in colour)


def avatar_jpeg(rng: random.Random, female: bool = False) -> bytes:
    background = rng.choice(BACKGROUNDS)
    figure = rng.choice(SILHOUETTES)
    hair = _darker(figure)
    dx = rng.randint(-8, 8)  # small variations so the portraits do not all look alike
    dy = rng.randint(-10, 10)
    head_w = rng.randint(104, 124)
    head_h = int(head_w * rng.uniform(1.18, 1.3))
    shoulder_w = rng.randint(250, 290)

    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    cx = WIDTH // 2 + dx
    head_top = 105 + dy
    head_box = (cx - head_w // 2, head_top, cx + head_w // 2, head_top + head_h)
    if female:  # longer hair behind the head, down to the shoulders
        draw.rounded_rectangle(
            (head_box[0] - 14, head_top - 8, head_box[2] + 14, head_top + head_h + 60),
            radius=head_w // 2,
            fill=hair,
        )
    neck_top = head_top + head_h - 20
    draw.rectangle((cx - 24, neck_top, cx + 24, neck_top + 55), fill=figure)
    shoulder_top = neck_top + 40
    draw.ellipse(
        (cx - shoulder_w // 2, shoulder_top, cx + shoulder_w // 2, shoulder_top + 260),
        fill=figure,
    )
    draw.ellipse(head_box, fill=figure)
    # Hair on top of the head: a cap slightly larger than the head's upper half.
    draw.chord(
        (head_box[0] - 4, head_top - 6, head_box[2] + 4, head_top + head_h * 0.75),
        start=180,
        end=360,
        fill=hair,
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()
