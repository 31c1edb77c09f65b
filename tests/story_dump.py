"""One news item as gov.kz publishes it (kk, ru, en under one news id) plus an English
repost of it under another site's address, and stories that must stay apart from it.
Every text here is our own."""

from __future__ import annotations

import json
from typing import Any

GOVKZ = "https://www.gov.kz/memleket/entities/economy/press/news/details/3005001"
REPOST_URL = "https://news.example.kz/en/economy/gdp-grew-5-7-percent"

EN_BODY = (
    "Astana, 14 May 2026 - The Ministry of National Economy reports that gross domestic "
    "product grew by 5.7% in January-April. Industry added 7.3% and construction 11.8%, "
    "while trade rose by 8.4%. Vice Minister Dauren Zhaksylykov said that inflation slowed "
    "to 0.7% a month and that investment in fixed capital reached 3.9 trillion tenge. "
    "\"Growth is broad and rests on investment,\" he said. The ministry expects the economy "
    "to grow by 5.5% over the year."
)
ITEM = {
    "kk": {
        "title": "Қаңтар-сәуірде ішкі жалпы өнім 5,7%-ға өсті, инфляция баяулады",
        "body": (
            "Астана, 2026 жылғы 14 мамыр. Ұлттық экономика министрлігінің хабарлауынша, "
            "қаңтар-сәуір айларында ішкі жалпы өнім 5,7%-ға өсті. Өнеркәсіп 7,3%, құрылыс "
            "11,8%, сауда 8,4% өсім көрсетті. Вице-министр Дәурен Жақсылықов инфляция айына "
            "0,7%-ға дейін баяулағанын, ал негізгі капиталға салынған инвестиция 3,9 трлн "
            "теңгеге жеткенін атап өтті. Министрлік жыл қорытындысы бойынша экономиканың "
            "5,5%-ға өсуін күтеді."
        ),
    },
    "ru": {
        "title": "ВВП за январь-апрель вырос на 5,7%, инфляция замедлилась",
        "body": (
            "Астана, 14 мая 2026 года. Министерство национальной экономики сообщает, что "
            "валовой внутренний продукт за январь-апрель вырос на 5,7%. Промышленность "
            "прибавила 7,3%, строительство 11,8%, торговля 8,4%. Вице-министр Даурен "
            "Жаксылыков отметил, что инфляция замедлилась до 0,7% в месяц, а инвестиции в "
            "основной капитал достигли 3,9 трлн тенге. По итогам года министерство ожидает "
            "рост экономики на 5,5%."
        ),
    },
    "en": {
        "title": "GDP grew by 5.7% in January-April as inflation slowed",
        "body": EN_BODY,
    },
}


def govkz_item(lang: str) -> dict[str, Any]:
    return {**ITEM[lang], "date": "2026-05-14", "url": f"{GOVKZ}?lang={lang}", "lang": lang}


def repost() -> dict[str, Any]:
    """The English version republished elsewhere: quotes stripped, a line of its own."""
    return {
        "title": ITEM["en"]["title"],
        "date": "2026-05-14",
        "body": EN_BODY.replace('"', "") + " Follow our economy news every day.",
        "url": REPOST_URL,
        "lang": "en",
    }


def other_story() -> dict[str, Any]:
    """Another item of the same ministry on the same day, in Russian: a different story."""
    return {
        "title": "Минэкономики обсудило с бизнесом снижение административной нагрузки",
        "date": "2026-05-14",
        "body": (
            "Вице-министр Даурен Жаксылыков провёл встречу с представителями бизнеса в "
            "Министерстве национальной экономики. Обсуждались предложения по сокращению "
            "проверок малого бизнеса: из 640 требований предлагается отменить 212. "
            "Участники встречи также обсудили цифровые разрешения и сроки их выдачи."
        ),
        "url": "https://www.gov.kz/memleket/entities/economy/press/news/details/3005002?lang=ru",
        "lang": "ru",
    }


def dump(*articles: dict[str, Any]) -> bytes:
    return "\n".join(json.dumps(a, ensure_ascii=False) for a in articles).encode() + b"\n"


def full_dump() -> bytes:
    return dump(govkz_item("kk"), govkz_item("ru"), govkz_item("en"), repost(), other_story())
