"""Facts about the Vietnamese population that the register generator draws from: relations and
marital statuses as the register writes them, census shares of ethnicities and religions,
family names, middle names by sex, and mobile prefixes."""
from __future__ import annotations

NATIONALITY = "Việt Nam"

WIFE, HUSBAND, CHILD, FATHER, MOTHER = "Vợ", "Chồng", "Con", "Cha", "Mẹ"
GRANDCHILD, DAUGHTER_IN_LAW, SON_IN_LAW = "Cháu", "Con dâu", "Con rể"

SINGLE, MARRIED, DIVORCED, WIDOWED = "Chưa kết hôn", "Đã kết hôn", "Đã ly hôn", "Góa"

# 2019 census shares (percent), rounded; the long tail of 54 groups is left out.
ETHNICITIES = {
    "Kinh": 85.3, "Tày": 1.9, "Thái": 1.9, "Mường": 1.5, "H'Mông": 1.5, "Khmer": 1.4,
    "Nùng": 1.1, "Dao": 0.9, "Hoa": 0.8, "Gia Rai": 0.5, "Ê Đê": 0.4, "Ba Na": 0.3,
}
RELIGIONS = {
    "Không": 86.3, "Công giáo": 6.1, "Phật giáo": 4.8, "Tin Lành": 1.0,
    "Phật giáo Hòa Hảo": 1.0, "Cao Đài": 0.6,
}
# Share of the population by family name; Faker's names missing here weigh 1.
SURNAME_WEIGHTS = {
    "Nguyễn": 38.4, "Trần": 12.1, "Lê": 9.5, "Phạm": 7.0, "Hoàng": 5.1, "Vũ": 3.9,
    "Đặng": 2.1, "Bùi": 2.0, "Dương": 1.0, "Mai": 0.5,
}
FEMALE_ONLY_MIDDLE = {"Thị", "Mai", "Mai Bảo"}
MALE_ONLY_MIDDLE = {"Văn", "Đức", "Quang", "Trí", "Thế", "Tấn", "Phú", "Hữu", "Hoàng"}
MOBILE_PREFIXES = (
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
    "081", "082", "083", "084", "085", "088", "091", "094", "070", "076", "077", "078",
    "079", "089", "090", "093", "052", "056", "058", "092",
)
