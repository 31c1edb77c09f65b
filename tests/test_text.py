"""Text repair, language detection and sentence splitting on the traps of real gov.kz dumps."""

from __future__ import annotations

import pytest

from digest.text import detect_language, repair, split_sentences

# -- repair ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("economic development.The Head of Government", "economic development. The Head of Government"),
        ("by 2028.By the end of 2025", "by 2028. By the end of 2025"),
        ("Why?The answer!Now it works", "Why? The answer! Now it works"),
        ('"It is done."The Constitution', '"It is done." The Constitution'),
        ('within two years."I think so', 'within two years. "I think so'),
        ("Bosch parts.A spokesman", "Bosch parts. A spokesman"),
        ("sales fell 1.7%.A number of", "sales fell 1.7%. A number of"),
        ("a quarter point rise.US rates", "a quarter point rise. US rates"),
        ("developing countries.G7 ministers", "developing countries. G7 ministers"),
        ("развитияВ Акорде", "развития В Акорде"),
        ("сообщает Kazpravda.kzКак отметил", "сообщает Kazpravda.kz Как отметил"),
        ("в 2025 г.Президент выступил", "в 2025 г. Президент выступил"),
        ("жиналыс өтті.Қатысушылар", "жиналыс өтті. Қатысушылар"),
        ("сказал.«Это важно»", "сказал. «Это важно»"),
        ("met H.E.Azamat Yeskarayev", "met H.E. Azamat Yeskarayev"),
    ],
)
def test_repair_inserts_the_missing_space(raw: str, expected: str) -> None:
    assert repair(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "named after U. Zhanibekov, spoke in detail",
        "H.E. Azamat Yeskarayev, Ambassador",
        "the deficit to 0.9% of GDP",
        "amounted to 20.1 billion US dollars",
        "Source : https://www.gov.kz/memleket/entities/mfa-delhi/press/news/details/1158580?lang=kk",
        "https://www.gov.kz/memleket/entities/mfa?lang=en",
        "visit gov.kz or Akorda.kz for details",
        "the U.S. economy, e.g. exports, i.e. goods",
        "at the B. Momyshuly Training Center",
        "атындағы Б. Момышұлы орталығы",
        "citizens' rights and the People's Council",
        "BAQ.KZ тілшісі хабарлады",
        "Бүгін Ә.Тойбаев пен А.Б.Иванов келді",
        "Akim Sh.Ualiyev spoke",
        "ҚазАқпарат, КазМунайГаз, iPhone and eGov",
    ],
)
def test_repair_leaves_urls_domains_numbers_and_initials_alone(text: str) -> None:
    assert repair(text) == text


def test_repair_normalises_unicode_and_whitespace() -> None:
    assert repair("  a\u00a0\u00a0b \t c  ") == "a b c"
    assert repair("first\r\n\r\n\r\n\r\nsecond  \n third") == "first\n\nsecond\nthird"
    assert repair("cafe\u0301") == "caf\u00e9"
    assert repair("и\u0306") == "й"


def test_repair_of_the_real_seed_paragraph(seed_path) -> None:  # type: ignore[no-untyped-def]
    text = repair(seed_path.read_text(encoding="utf-8"))
    assert "sustainable economic development. The Head of Government" in text
    assert "0.9% of GDP" in text and "20.1 billion" in text and "17.8%" in text
    assert "H.E. Azamat" in text and "U. Zhanibekov" in text and "B. Momyshuly" in text
    assert "details/1158714?lang=kk" in text
    assert "5.9%. Source : https://www.gov.kz/" in text


# -- language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ел Президенті Қасым-Жомарт Тоқаев Үкіметтің кеңейтілген отырысында сөз сөйледі.", "kk"),
        ("Шымкентте жаңа Конституция жобасы талқыланды және оған қолдау білдірілді.", "kk"),
        ("Президент Казахстана провел расширенное заседание Правительства в Астане.", "ru"),
        ("В Шымкенте обсудили проект новой Конституции и вопросы здравоохранения.", "ru"),
        ("Olzhas Bektenov reported to the President on the economy.", "en"),
        # Kazakh in the acute (2018) Latin alphabet, as Kazinform's Kazakh service writes it
        ("Memleket basshysy Qazaqstan halqyna Joldaý jarııalady, dep habarlaıdy Aqorda.", "kk"),
        # Kazakh in the official 2021 Latin alphabet
        ("Memleket basşysy Qazaqstan halqyna Joldau jariialady jäne ükımetke tapsyrma berdı.",
         "kk"),
        # ... and in plain ASCII, as transliterations without diacritics write it
        ("Memleket basshysy Qazaqstan halqyna Joldau jariialady, dep habarlaidy Aqorda.", "kk"),
        # English that names Kazakh places and people stays English
        ("The queen quietly quoted the Iraq report in Aqtobe.", "en"),
        ("President Kassym-Jomart Tokayev met the head of Qazaqstan Temir Zholy in Astana.",
         "en"),
        ("The Qazaq Eli monument and the Baiterek tower were lit in the colours of the flag.",
         "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_russian_text_quoting_a_kazakh_name_stays_russian() -> None:
    text = "Встреча прошла в учебном центре имени Б. Момышұлы, где обсудили реформу."
    assert detect_language(text) == "ru"


def test_mixed_text_goes_to_the_larger_share() -> None:
    kazakh = (
        "Жиналыста Конституция жобасы егжей-тегжейлі талқыланды. Қатысушылар реформаны "
        "қолдайтынын білдірді және азаматтардың құқықтары туралы айтты. "
    )
    russian = "Также на встрече обсудили вопросы образования и науки в регионе. "
    assert detect_language(kazakh * 3 + russian) == "kk"
    assert detect_language(kazakh + russian * 4) == "ru"


def test_latin_majority_is_english_even_with_cyrillic_names() -> None:
    assert detect_language("The meeting at the Ақорда was held in Astana on Monday.") == "en"
    assert detect_language("") == "en"


# -- sentences ------------------------------------------------------------------------------


def test_english_sentences_keep_initials_decimals_urls_together() -> None:
    text = (
        "New Delhi - H.E. Azamat Yeskarayev met Dr. Bina George. GDP grew 6.5% and reached "
        "20.1 billion. It was named after U. Zhanibekov in 1991. Details are at "
        "https://www.gov.kz/memleket/entities/mfa?lang=en for everyone. The U.S. side, i.e. "
        "the embassy, agreed."
    )
    assert split_sentences(text, "en") == [
        "New Delhi - H.E. Azamat Yeskarayev met Dr. Bina George.",
        "GDP grew 6.5% and reached 20.1 billion.",
        "It was named after U. Zhanibekov in 1991.",
        "Details are at https://www.gov.kz/memleket/entities/mfa?lang=en for everyone.",
        "The U.S. side, i.e. the embassy, agreed.",
    ]


@pytest.mark.parametrize(
    ("glued", "lang", "expected"),
    [
        ("economic development.The Head spoke.", "en", ["economic development.", "The Head spoke."]),
        ("в 2025 г.Президент выступил.Рост 5%.", "ru", ["в 2025 г. Президент выступил.", "Рост 5%."]),
        ("Жиын өтті.Қатысушылар қолдады.", "kk", ["Жиын өтті.", "Қатысушылар қолдады."]),
    ],
)
def test_glued_sentences_split_after_repair(glued: str, lang: str, expected: list[str]) -> None:
    assert split_sentences(repair(glued), lang) == expected


def test_russian_sentences() -> None:
    text = (
        "В 2024 г. рост экономики составил 5,1%. Бюджет вырос на 1,5 млрд. тенге и 20 млн. "
        "долларов. Улица им. Абая, ул. Ленина. Центр имени Б. Момышұлы открыт, т.е. работает. "
        "Ж. Бекенов выступил с докладом. Подробно на https://www.gov.kz/memleket?lang=ru сайте."
    )
    assert split_sentences(text, "ru") == [
        "В 2024 г. рост экономики составил 5,1%.",
        "Бюджет вырос на 1,5 млрд. тенге и 20 млн. долларов.",
        "Улица им. Абая, ул. Ленина.",
        "Центр имени Б. Момышұлы открыт, т.е. работает.",
        "Ж. Бекенов выступил с докладом.",
        "Подробно на https://www.gov.kz/memleket?lang=ru сайте.",
    ]


def test_kazakh_sentences() -> None:
    text = (
        "2025 ж. 15 қаңтарда Ж. Бекенов сөз сөйледі. Б. Момышұлы атындағы орталықта жиын өтті. "
        "Бюджет 1,5 млрд. теңгеге, яғни 0.9% өсті. Толығырақ gov.kz/memleket?lang=kk сайтында. "
        "Жиналыс аяқталды."
    )
    assert split_sentences(text, "kk") == [
        "2025 ж. 15 қаңтарда Ж. Бекенов сөз сөйледі.",
        "Б. Момышұлы атындағы орталықта жиын өтті.",
        "Бюджет 1,5 млрд. теңгеге, яғни 0.9% өсті.",
        "Толығырақ gov.kz/memleket?lang=kk сайтында.",
        "Жиналыс аяқталды.",
    ]


def test_a_sentence_ending_in_an_abbreviation_before_a_capital_still_ends() -> None:
    assert split_sentences("Доход составил 5 млрд. Также вырос экспорт.", "ru") == [
        "Доход составил 5 млрд.",
        "Также вырос экспорт.",
    ]


def test_line_breaks_end_sentences_and_empty_input_gives_nothing() -> None:
    assert split_sentences("First line without a stop\n\n  \nSecond one.", "en") == [
        "First line without a stop",
        "Second one.",
    ]
    assert split_sentences("", "kk") == []
    assert split_sentences("   \n\t", "ru") == []


def test_raw_unrepaired_text_does_not_crash() -> None:
    raw = "2025 г.Президент\u00a0выступил.  «Цитата»…  ?! ... 12.3.4 ... https://x.kz/a.B?c=D.E"
    sentences = split_sentences(raw, "ru")
    assert sentences and all(s == s.strip() and s for s in sentences)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Akim Sh. Ualiyev and Kh. Tulegenov met. They talked.", "en",
         ["Akim Sh. Ualiyev and Kh. Tulegenov met.", "They talked."]),
        ("Head of the department Zh. Bekenov spoke. Next one.", "en",
         ["Head of the department Zh. Bekenov spoke.", "Next one."]),
        ("BAQ.KZ тілшісі хабарлады. Бүгін жиын өтті.", "kk",
         ["BAQ.KZ тілшісі хабарлады.", "Бүгін жиын өтті."]),
        ("Об этом передает BAQ.KZ. Далее текст.", "ru", ["Об этом передает BAQ.KZ.", "Далее текст."]),
        ("АСТАНА. KAZINFORM — Бүгін Ә.Тойбаев келді. Ол сөйледі.", "kk",
         ["АСТАНА. KAZINFORM — Бүгін Ә.Тойбаев келді.", "Ол сөйледі."]),
        ("Министр А.Б. Иванов приехал. Да, приехал.", "ru",
         ["Министр А.Б. Иванов приехал.", "Да, приехал."]),
        ("«Мы сделаем это. Это важно», — сказал он. Далее.", "ru",
         ["«Мы сделаем это.", "Это важно», — сказал он.", "Далее."]),
        ("Бидай үлесті иеленіп отыр. 12,2 млн гектардан жиналды.", "kk",
         ["Бидай үлесті иеленіп отыр.", "12,2 млн гектардан жиналды."]),
        ('Demand grows 5% a year. "We need gas," he said.', "en",
         ["Demand grows 5% a year.", '"We need gas," he said.']),
    ],
)
def test_sentences_on_real_news_traps(text: str, lang: str, expected: list[str]) -> None:
    assert split_sentences(repair(text), lang) == expected
