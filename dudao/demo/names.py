"""Word pools for the fictional demo county. Everything here is invented: the province
(江南省) does not exist and its division codes start with 99, which no real province uses."""

# Surnames, roughly by frequency, with pinyin for e-mail addresses.
SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
    ("袁", "yuan"), ("潘", "pan"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"),
    ("杜", "du"), ("叶", "ye"), ("程", "cheng"), ("魏", "wei"), ("苏", "su"),
    ("吕", "lv"), ("丁", "ding"), ("任", "ren"), ("沈", "shen"), ("姚", "yao"),
    ("卢", "lu"), ("姜", "jiang"), ("崔", "cui"), ("钟", "zhong"), ("谭", "tan"),
    ("陆", "lu"), ("汪", "wang"), ("范", "fan"), ("金", "jin"), ("石", "shi"),
    ("廖", "liao"), ("贾", "jia"), ("夏", "xia"), ("付", "fu"), ("方", "fang"),
    ("邹", "zou"), ("熊", "xiong"), ("秦", "qin"), ("江", "jiang"), ("雷", "lei"),
]  # fmt: skip

GIVEN_MALE = [
    ("伟", "wei"), ("强", "qiang"), ("军", "jun"), ("勇", "yong"), ("杰", "jie"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("平", "ping"), ("刚", "gang"),
    ("斌", "bin"), ("建", "jian"), ("国", "guo"), ("志", "zhi"), ("海", "hai"),
    ("峰", "feng"), ("磊", "lei"), ("波", "bo"), ("辉", "hui"), ("鹏", "peng"),
    ("文", "wen"), ("东", "dong"), ("宏", "hong"), ("俊", "jun"), ("飞", "fei"),
    ("亮", "liang"), ("成", "cheng"), ("新", "xin"), ("德", "de"), ("荣", "rong"),
    ("忠", "zhong"), ("宁", "ning"), ("武", "wu"), ("林", "lin"), ("松", "song"),
]  # fmt: skip

GIVEN_FEMALE = [
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("艳", "yan"), ("秀", "xiu"), ("英", "ying"), ("娟", "juan"), ("霞", "xia"),
    ("燕", "yan"), ("玲", "ling"), ("婷", "ting"), ("琳", "lin"), ("红", "hong"),
    ("梅", "mei"), ("兰", "lan"), ("萍", "ping"), ("莉", "li"), ("雪", "xue"),
    ("慧", "hui"), ("洁", "jie"), ("欣", "xin"), ("颖", "ying"), ("佳", "jia"),
    ("丹", "dan"), ("晓", "xiao"), ("玉", "yu"), ("云", "yun"), ("琴", "qin"),
]  # fmt: skip

# Townships: the county seat and subdistricts are urban, the rest rural.
URBAN_TOWNSHIPS = ["城关镇", "城东街道", "城西街道", "城南街道", "城北街道"]
RURAL_TOWNSHIPS = [
    "柳溪镇", "石桥乡", "大坪乡", "白沙镇", "青石镇", "桃源乡", "龙潭镇", "枫林镇",
    "双河镇", "云台乡", "杨柳镇", "南岗镇", "西山乡", "金竹乡", "马鞍镇", "高桥镇",
    "新塘镇", "长岭乡", "梅溪镇", "松岗镇", "黄土岭乡", "凤凰乡", "杏花镇", "竹园乡",
    "白鹤镇", "清泉乡", "茶山镇", "乌石乡",
]  # fmt: skip

# Villages are made of two syllables: 大 + 坪 → 大坪.
VILLAGE_FIRST = list("大小上下高石柳杨黄马龙凤桃杏梅竹松枫金银新东西南北中前后白青红")
VILLAGE_SECOND = list("坪坝湾沟庄岭冲塘桥河溪山坡岗寨铺店营堡洲口田林园垄圩")

STREETS = [
    "人民路", "解放路", "建设路", "文化路", "学府路", "育才路", "新华路", "胜利路",
    "青年路", "滨河路", "清河大道", "府前街", "兴业路", "振兴路", "桂花路", "朝阳路",
]  # fmt: skip
TOWN_STREETS = ["正街", "新街", "河街", "中心街", "学堂路", "集镇路"]

# Names of private kindergartens and schools (民办), invented.
PRIVATE_BRANDS = [
    "小太阳", "阳光", "童心", "金色摇篮", "蓝天", "启蒙", "育才", "小天使", "七彩",
    "博雅", "贝贝", "新星", "苗苗", "爱心", "快乐宝贝", "春蕾", "小博士", "彩虹",
    "星星", "智慧树", "雏鹰", "童乐", "小精灵", "明珠", "希望", "晨曦", "小橡树",
    "向日葵", "欢乐谷", "小白鸽",
]  # fmt: skip
PRIVATE_SCHOOL_BRANDS = ["博雅外国语", "育英", "启明", "文华", "明德", "致远", "弘毅", "求真"]

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (for 第N责任区, 第N中学)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        if rest == 0:
            tail = ""
        elif rest < 10:
            tail = "零" + CN_DIGITS[rest]
        elif rest < 20:
            tail = "一" + cn_number(rest)
        else:
            tail = cn_number(rest)
        return CN_DIGITS[n // 100] + "百" + tail
    return str(n)
