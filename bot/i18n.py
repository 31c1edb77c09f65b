"""The bot's interface strings in English, Russian and Kazakh.

Strings are Telegram HTML. Their placeholders receive values that are already escaped (the
handlers escape user input and dump text with ``html.escape`` before formatting), so a
string here may use tags but must never contain a raw ``<`` or ``&`` of its own.
"""

from __future__ import annotations

from typing import Any

from digest.languages import LANGUAGES

DEFAULT = "en"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}

# Command menu, registered per language with set_my_commands; admin commands are not listed.
COMMANDS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("start", "Welcome and topic selection"),
        ("topics", "Subscribe or unsubscribe by tapping topics"),
        ("latest", "Latest news: /latest [topic] [N]"),
        ("digest", "Your digest now"),
        ("search", "Search the news: /search words"),
        ("mysubs", "Your topics and digest time"),
        ("subscribe", "Subscribe: /subscribe topic"),
        ("unsubscribe", "Unsubscribe: /unsubscribe topic|all"),
        ("time", "Digest time: /time HH:MM"),
        ("timezone", "Time zone: /timezone Area/City"),
        ("lang", "Interface language: /lang en|ru|kk"),
        ("newslang", "News language: /newslang en|ru|kk|all|auto"),
        ("stop", "Stop all digests"),
        ("help", "All commands"),
    ],
    "ru": [
        ("start", "Приветствие и выбор тем"),
        ("topics", "Подписка на темы нажатием кнопок"),
        ("latest", "Последние новости: /latest [тема] [N]"),
        ("digest", "Дайджест прямо сейчас"),
        ("search", "Поиск по новостям: /search слова"),
        ("mysubs", "Ваши темы и время дайджеста"),
        ("subscribe", "Подписаться: /subscribe тема"),
        ("unsubscribe", "Отписаться: /unsubscribe тема|all"),
        ("time", "Время дайджеста: /time ЧЧ:ММ"),
        ("timezone", "Часовой пояс: /timezone Регион/Город"),
        ("lang", "Язык интерфейса: /lang en|ru|kk"),
        ("newslang", "Язык новостей: /newslang en|ru|kk|all|auto"),
        ("stop", "Остановить все дайджесты"),
        ("help", "Все команды"),
    ],
    "kk": [
        ("start", "Сәлемдесу және тақырып таңдау"),
        ("topics", "Батырмалар арқылы тақырыпқа жазылу"),
        ("latest", "Соңғы жаңалықтар: /latest [тақырып] [N]"),
        ("digest", "Дайджестті қазір алу"),
        ("search", "Жаңалықтардан іздеу: /search сөздер"),
        ("mysubs", "Тақырыптарыңыз бен дайджест уақыты"),
        ("subscribe", "Жазылу: /subscribe тақырып"),
        ("unsubscribe", "Жазылымнан шығу: /unsubscribe тақырып|all"),
        ("time", "Дайджест уақыты: /time СС:ММ"),
        ("timezone", "Уақыт белдеуі: /timezone Аймақ/Қала"),
        ("lang", "Интерфейс тілі: /lang en|ru|kk"),
        ("newslang", "Жаңалықтар тілі: /newslang en|ru|kk|all|auto"),
        ("stop", "Барлық дайджестерді тоқтату"),
        ("help", "Барлық командалар"),
    ],
}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": (
            "Hello! I send a daily digest of Kazakhstan's government news on the topics you "
            "choose.\n\nTap topics below to subscribe (tap again to unsubscribe). Your digest "
            "comes every day at {time} ({tz}); change it with /time and /timezone. "
            "/help lists every command."
        ),
        "help": (
            "<b>Commands</b>\n"
            "/start — welcome and topic selection\n"
            "/topics — tap topics to subscribe or unsubscribe\n"
            "/subscribe TOPIC — subscribe to a topic\n"
            "/unsubscribe TOPIC|all — unsubscribe\n"
            "/mysubs — your topics and digest time\n"
            "/latest [TOPIC] [N] — the newest N articles (default 5, at most 20)\n"
            "/digest — your digest now (what is new since the last one)\n"
            "/search WORDS — search the stored news\n"
            "/time HH:MM — when your daily digest comes\n"
            "/timezone Area/City — your time zone, e.g. Asia/Almaty\n"
            "/lang en|ru|kk — interface language\n"
            "/newslang en|ru|kk|all|auto — the language of the news you get\n"
            "/stop — unsubscribe from everything\n"
            "/help — this list"
        ),
        "help_admin": (
            "\n\n<b>Administrators</b>\n"
            "Send a .txt or .jsonl dump (optionally .gz) to ingest it.\n"
            "/stats — subscribers, articles, ingests, digest runs"
        ),
        "topics_prompt": "Tap a topic to subscribe or unsubscribe (✅ = subscribed).",
        "cb_subscribed": "Subscribed to {topic}",
        "cb_unsubscribed": "Unsubscribed from {topic}",
        "unknown_topic": "I don't know the topic “{text}”. Topics: {topics}",
        "subscribe_usage": "Which topic? For example: /subscribe economy\nTopics: {topics}",
        "subscribed": "Subscribed to {topic}. Your digest comes every day at {time} ({tz}).",
        "already_subscribed": "You are already subscribed to {topic}.",
        "unsubscribe_usage": "Which topic? For example: /unsubscribe economy, or /unsubscribe all",
        "unsubscribed": "Unsubscribed from {topic}.",
        "not_subscribed": "You were not subscribed to {topic}.",
        "unsubscribed_all": "You are unsubscribed from all topics.",
        "mysubs": "Your topics: {topics}\nDaily digest at {time} ({tz}); next: {next}.",
        "mysubs_none": "You have no topics yet. Choose some with /topics.",
        "latest_header": "<b>Latest news</b>",
        "latest_topic_header": "<b>Latest: {topic}</b>",
        "no_articles": "No articles yet.",
        "digest_header": "📰 <b>Your digest</b> · {date}",
        "digest_nothing": "Nothing new on your topics since your last digest.",
        "digest_no_topics": "You have no topics yet. Choose some with /topics.",
        "digest_failed": "Sorry, I could not send your digest. Please try /digest again later.",
        "search_usage": "What should I look for? For example: /search constitution",
        "search_header": "<b>Search: {query}</b>",
        "search_nothing": "Nothing found for “{query}”.",
        "time_current": "Your digest comes at {time} ({tz}). To change it: /time 08:30",
        "time_invalid": (
            "“{value}” is not a time of day. Send it as HH:MM (24-hour clock), "
            "for example: /time 08:30"
        ),
        "time_set": "Your daily digest now comes at {time} ({tz}).",
        "next_digest": "Next digest: {next}.",
        "tz_current": "Your time zone is {tz}. To change it: /timezone Asia/Almaty",
        "tz_invalid": (
            "“{value}” is not a time zone I know. Use an IANA name, for example: "
            "/timezone Asia/Almaty or /timezone Europe/Berlin"
        ),
        "tz_set": "Your time zone is now {tz}; the digest comes at {time} local time.",
        "stopped": (
            "Done: you are unsubscribed from everything and will get no more digests. "
            "/start brings you back."
        ),
        "lang_usage": "Interface language: {current}. Change it: /lang en, /lang ru or /lang kk",
        "lang_set": "The interface language is now English.",
        "unknown": "I don't understand that. /help lists what I can do.",
        "error": "Sorry, something went wrong. Please try again later.",
        "admin_only": "Sorry, this command is only for the bot's administrators.",
        "upload_refused": "Sorry, only the bot's administrators can upload news dumps.",
        "upload_bad_type": (
            "Send the dump as a .txt or .jsonl file (optionally gzipped: .txt.gz, .jsonl.gz)."
        ),
        "upload_too_big": (
            "{name} is {size} MB; this bot downloads files of at most {limit} MB."
        ),
        "upload_bot_api_limit": (
            " The Telegram Bot API lets bots download files of at most 20 MB: gzip the dump "
            "(.txt.gz), split it, or run the bot against a self-hosted Bot API server."
        ),
        "upload_received": "📥 {name} ({size}): downloading…",
        "upload_progress": "⚙️ {name}: {done} of {total} articles processed…",
        "upload_rejected": "❌ {reason}\nNothing was stored.",
        "upload_failed": "❌ The ingest of {name} failed ({error}). Nothing was stored.",
        "report": (
            "✅ <b>{name}</b>\n{parsed} articles read, {stored} stored, {dups} duplicates "
            "({exact} exact, {near} near)"
        ),
        "report_replaced": "{count} stored copies replaced by a better one",
        "report_languages": "Languages: {languages}",
        "report_topics": "Topics of the stored articles: {topics}",
        "report_problems": "<b>Problems ({count})</b>",
        "report_more": "… and {count} more",
        "none": "none",
        "stats": "<b>Statistics</b>",
        "stats_subscribers": "Subscribers: {active} active, {inactive} inactive",
        "stats_subscriptions": "Subscriptions per topic: {topics}",
        "stats_articles": "Articles: {total}",
        "stats_topic_line": "{topic}: {total} ({languages})",
        "stats_ingests": "<b>Last ingests</b>",
        "stats_ingest_line": (
            "{when} · {file}: {stored} stored, {dups} duplicates, {problems} problems"
        ),
        "stats_run": "Last digest run: {when} · {sent} sent, {failed} failed, {blocked} blocked",
        "stats_run_unfinished": "Last digest run: {when} · unfinished · {sent} sent",
        "stats_no_run": "Last digest run: none yet",
    },
    "ru": {
        "welcome": (
            "Здравствуйте! Я присылаю ежедневный дайджест новостей государственных органов "
            "Казахстана по выбранным вами темам.\n\nНажмите на темы ниже, чтобы подписаться "
            "(повторное нажатие отменяет подписку). Дайджест приходит каждый день в {time} "
            "({tz}); изменить: /time и /timezone. Все команды: /help."
        ),
        "help": (
            "<b>Команды</b>\n"
            "/start — приветствие и выбор тем\n"
            "/topics — подписка на темы нажатием кнопок\n"
            "/subscribe ТЕМА — подписаться на тему\n"
            "/unsubscribe ТЕМА|all — отписаться\n"
            "/mysubs — ваши темы и время дайджеста\n"
            "/latest [ТЕМА] [N] — последние N статей (по умолчанию 5, не больше 20)\n"
            "/digest — дайджест сейчас (новое с прошлого раза)\n"
            "/search СЛОВА — поиск по новостям\n"
            "/time ЧЧ:ММ — время ежедневного дайджеста\n"
            "/timezone Регион/Город — часовой пояс, например Asia/Almaty\n"
            "/lang en|ru|kk — язык интерфейса\n"
            "/newslang en|ru|kk|all|auto — язык новостей\n"
            "/stop — отписаться от всего\n"
            "/help — этот список"
        ),
        "help_admin": (
            "\n\n<b>Администраторам</b>\n"
            "Пришлите дамп .txt или .jsonl (можно .gz), чтобы загрузить его.\n"
            "/stats — подписчики, статьи, загрузки, рассылки"
        ),
        "topics_prompt": "Нажмите на тему, чтобы подписаться или отписаться (✅ — подписка).",
        "cb_subscribed": "Подписка на тему «{topic}»",
        "cb_unsubscribed": "Подписка на тему «{topic}» отменена",
        "unknown_topic": "Темы «{text}» нет. Темы: {topics}",
        "subscribe_usage": "Какая тема? Например: /subscribe economy\nТемы: {topics}",
        "subscribed": (
            "Вы подписаны на тему «{topic}». Дайджест приходит каждый день в {time} ({tz})."
        ),
        "already_subscribed": "Вы уже подписаны на тему «{topic}».",
        "unsubscribe_usage": "Какая тема? Например: /unsubscribe economy или /unsubscribe all",
        "unsubscribed": "Подписка на тему «{topic}» отменена.",
        "not_subscribed": "Вы не были подписаны на тему «{topic}».",
        "unsubscribed_all": "Вы отписаны от всех тем.",
        "mysubs": "Ваши темы: {topics}\nДайджест каждый день в {time} ({tz}); следующий: {next}.",
        "mysubs_none": "У вас пока нет тем. Выберите их: /topics.",
        "latest_header": "<b>Последние новости</b>",
        "latest_topic_header": "<b>Последние новости: {topic}</b>",
        "no_articles": "Статей пока нет.",
        "digest_header": "📰 <b>Ваш дайджест</b> · {date}",
        "digest_nothing": "По вашим темам ничего нового с прошлого дайджеста.",
        "digest_no_topics": "У вас пока нет тем. Выберите их: /topics.",
        "digest_failed": "Извините, не удалось отправить дайджест. Попробуйте /digest позже.",
        "search_usage": "Что искать? Например: /search конституция",
        "search_header": "<b>Поиск: {query}</b>",
        "search_nothing": "По запросу «{query}» ничего не найдено.",
        "time_current": "Дайджест приходит в {time} ({tz}). Изменить: /time 08:30",
        "time_invalid": (
            "«{value}» — не время суток. Укажите его как ЧЧ:ММ (24-часовой формат), "
            "например: /time 08:30"
        ),
        "time_set": "Теперь дайджест приходит в {time} ({tz}).",
        "next_digest": "Следующий дайджест: {next}.",
        "tz_current": "Ваш часовой пояс: {tz}. Изменить: /timezone Asia/Almaty",
        "tz_invalid": (
            "«{value}» — неизвестный часовой пояс. Укажите название IANA, например: "
            "/timezone Asia/Almaty или /timezone Europe/Moscow"
        ),
        "tz_set": "Ваш часовой пояс теперь {tz}; дайджест приходит в {time} по местному времени.",
        "stopped": (
            "Готово: вы отписаны от всего, дайджесты больше не придут. "
            "Вернуться: /start."
        ),
        "lang_usage": "Язык интерфейса: {current}. Изменить: /lang en, /lang ru или /lang kk",
        "lang_set": "Язык интерфейса — русский.",
        "unknown": "Я не понимаю. Что я умею: /help.",
        "error": "Извините, что-то пошло не так. Попробуйте позже.",
        "admin_only": "Извините, эта команда только для администраторов бота.",
        "upload_refused": "Извините, загружать дампы новостей могут только администраторы бота.",
        "upload_bad_type": (
            "Пришлите дамп файлом .txt или .jsonl (можно сжатым: .txt.gz, .jsonl.gz)."
        ),
        "upload_too_big": "{name}: {size} МБ; бот скачивает файлы не больше {limit} МБ.",
        "upload_bot_api_limit": (
            " Telegram Bot API позволяет ботам скачивать файлы не больше 20 МБ: сожмите дамп "
            "(.txt.gz), разделите его или подключите бота к собственному серверу Bot API."
        ),
        "upload_received": "📥 {name} ({size}): скачиваю…",
        "upload_progress": "⚙️ {name}: обработано {done} из {total} статей…",
        "upload_rejected": "❌ {reason}\nНичего не сохранено.",
        "upload_failed": "❌ Загрузка {name} не удалась ({error}). Ничего не сохранено.",
        "report": (
            "✅ <b>{name}</b>\nПрочитано статей: {parsed}, сохранено: {stored}, дубликатов: "
            "{dups} (точных {exact}, похожих {near})"
        ),
        "report_replaced": "Заменено лучшими копиями: {count}",
        "report_languages": "Языки: {languages}",
        "report_topics": "Темы сохранённых статей: {topics}",
        "report_problems": "<b>Проблемы ({count})</b>",
        "report_more": "… и ещё {count}",
        "none": "нет",
        "stats": "<b>Статистика</b>",
        "stats_subscribers": "Подписчики: активных {active}, неактивных {inactive}",
        "stats_subscriptions": "Подписки по темам: {topics}",
        "stats_articles": "Статей: {total}",
        "stats_topic_line": "{topic}: {total} ({languages})",
        "stats_ingests": "<b>Последние загрузки</b>",
        "stats_ingest_line": (
            "{when} · {file}: сохранено {stored}, дубликатов {dups}, проблем {problems}"
        ),
        "stats_run": (
            "Последняя рассылка: {when} · отправлено {sent}, ошибок {failed}, "
            "заблокировали {blocked}"
        ),
        "stats_run_unfinished": "Последняя рассылка: {when} · не завершена · отправлено {sent}",
        "stats_no_run": "Рассылок ещё не было",
    },
    "kk": {
        "welcome": (
            "Сәлеметсіз бе! Мен сіз таңдаған тақырыптар бойынша Қазақстанның мемлекеттік "
            "органдары жаңалықтарының күнделікті дайджестін жіберемін.\n\nЖазылу үшін "
            "төмендегі тақырыптарды басыңыз (қайта басу жазылымды тоқтатады). Дайджест күн "
            "сайын {time} ({tz}) келеді; өзгерту: /time және /timezone. Барлық командалар: /help."
        ),
        "help": (
            "<b>Командалар</b>\n"
            "/start — сәлемдесу және тақырып таңдау\n"
            "/topics — батырмалар арқылы тақырыпқа жазылу не одан шығу\n"
            "/subscribe ТАҚЫРЫП — тақырыпқа жазылу\n"
            "/unsubscribe ТАҚЫРЫП|all — жазылымнан шығу\n"
            "/mysubs — тақырыптарыңыз бен дайджест уақыты\n"
            "/latest [ТАҚЫРЫП] [N] — соңғы N мақала (әдепкі 5, ең көбі 20)\n"
            "/digest — дайджест қазір (соңғысынан бергі жаңалықтар)\n"
            "/search СӨЗДЕР — жаңалықтардан іздеу\n"
            "/time СС:ММ — күнделікті дайджест уақыты\n"
            "/timezone Аймақ/Қала — уақыт белдеуі, мысалы Asia/Almaty\n"
            "/lang en|ru|kk — интерфейс тілі\n"
            "/newslang en|ru|kk|all|auto — жаңалықтар тілі\n"
            "/stop — барлық жазылымнан шығу\n"
            "/help — осы тізім"
        ),
        "help_admin": (
            "\n\n<b>Әкімшілерге</b>\n"
            "Жүктеу үшін .txt немесе .jsonl дампын (.gz болуы мүмкін) жіберіңіз.\n"
            "/stats — жазылушылар, мақалалар, жүктеулер, таратулар"
        ),
        "topics_prompt": "Жазылу не жазылымнан шығу үшін тақырыпты басыңыз (✅ — жазылғансыз).",
        "cb_subscribed": "«{topic}» тақырыбына жазылдыңыз",
        "cb_unsubscribed": "«{topic}» тақырыбынан шықтыңыз",
        "unknown_topic": "«{text}» деген тақырып жоқ. Тақырыптар: {topics}",
        "subscribe_usage": "Қай тақырып? Мысалы: /subscribe economy\nТақырыптар: {topics}",
        "subscribed": (
            "«{topic}» тақырыбына жазылдыңыз. Дайджест күн сайын {time} ({tz}) келеді."
        ),
        "already_subscribed": "Сіз «{topic}» тақырыбына жазылып қойғансыз.",
        "unsubscribe_usage": "Қай тақырып? Мысалы: /unsubscribe economy немесе /unsubscribe all",
        "unsubscribed": "«{topic}» тақырыбынан шықтыңыз.",
        "not_subscribed": "Сіз «{topic}» тақырыбына жазылмағансыз.",
        "unsubscribed_all": "Барлық тақырыптан шықтыңыз.",
        "mysubs": "Тақырыптарыңыз: {topics}\nДайджест күн сайын {time} ({tz}); келесісі: {next}.",
        "mysubs_none": "Әзірге тақырыптарыңыз жоқ. Таңдау: /topics.",
        "latest_header": "<b>Соңғы жаңалықтар</b>",
        "latest_topic_header": "<b>Соңғы жаңалықтар: {topic}</b>",
        "no_articles": "Әзірге мақала жоқ.",
        "digest_header": "📰 <b>Сіздің дайджестіңіз</b> · {date}",
        "digest_nothing": "Соңғы дайджесттен бері тақырыптарыңыз бойынша жаңалық жоқ.",
        "digest_no_topics": "Әзірге тақырыптарыңыз жоқ. Таңдау: /topics.",
        "digest_failed": (
            "Кешіріңіз, дайджестті жіберу мүмкін болмады. Кейінірек /digest қайталап көріңіз."
        ),
        "search_usage": "Не іздейміз? Мысалы: /search конституция",
        "search_header": "<b>Іздеу: {query}</b>",
        "search_nothing": "«{query}» бойынша ештеңе табылмады.",
        "time_current": "Дайджест {time} ({tz}) келеді. Өзгерту: /time 08:30",
        "time_invalid": (
            "«{value}» — тәулік уақыты емес. Оны СС:ММ түрінде (24 сағаттық) жазыңыз, "
            "мысалы: /time 08:30"
        ),
        "time_set": "Енді дайджест {time} ({tz}) келеді.",
        "next_digest": "Келесі дайджест: {next}.",
        "tz_current": "Уақыт белдеуіңіз: {tz}. Өзгерту: /timezone Asia/Almaty",
        "tz_invalid": (
            "«{value}» — белгісіз уақыт белдеуі. IANA атауын жазыңыз, мысалы: "
            "/timezone Asia/Almaty немесе /timezone Asia/Aqtobe"
        ),
        "tz_set": "Енді уақыт белдеуіңіз {tz}; дайджест жергілікті уақытпен {time} келеді.",
        "stopped": (
            "Дайын: барлық жазылымнан шықтыңыз, дайджест енді келмейді. Қайта оралу: /start."
        ),
        "lang_usage": "Интерфейс тілі: {current}. Өзгерту: /lang en, /lang ru немесе /lang kk",
        "lang_set": "Интерфейс тілі — қазақша.",
        "unknown": "Түсінбедім. Не істей алатынымды /help көрсетеді.",
        "error": "Кешіріңіз, бірдеңе дұрыс болмады. Кейінірек қайталап көріңіз.",
        "admin_only": "Кешіріңіз, бұл команда тек бот әкімшілеріне арналған.",
        "upload_refused": "Кешіріңіз, жаңалықтар дампын тек бот әкімшілері жүктей алады.",
        "upload_bad_type": (
            "Дампты .txt немесе .jsonl файлымен жіберіңіз (сығылған болуы мүмкін: .txt.gz, "
            ".jsonl.gz)."
        ),
        "upload_too_big": "{name}: {size} МБ; бот ең көбі {limit} МБ файлды жүктей алады.",
        "upload_bot_api_limit": (
            " Telegram Bot API боттарға ең көбі 20 МБ файл жүктеуге рұқсат береді: дампты "
            "сығыңыз (.txt.gz), бөліңіз немесе ботты өз Bot API серверіңізге қосыңыз."
        ),
        "upload_received": "📥 {name} ({size}): жүктеліп жатыр…",
        "upload_progress": "⚙️ {name}: {total} мақаланың {done} өңделді…",
        "upload_rejected": "❌ {reason}\nЕштеңе сақталмады.",
        "upload_failed": "❌ {name} жүктелмеді ({error}). Ештеңе сақталмады.",
        "report": (
            "✅ <b>{name}</b>\nОқылған мақала: {parsed}, сақталды: {stored}, қайталанған: "
            "{dups} (дәл {exact}, ұқсас {near})"
        ),
        "report_replaced": "Жақсырақ көшірмемен ауыстырылды: {count}",
        "report_languages": "Тілдер: {languages}",
        "report_topics": "Сақталған мақалалардың тақырыптары: {topics}",
        "report_problems": "<b>Ақаулар ({count})</b>",
        "report_more": "… тағы {count}",
        "none": "жоқ",
        "stats": "<b>Статистика</b>",
        "stats_subscribers": "Жазылушылар: белсенді {active}, белсенді емес {inactive}",
        "stats_subscriptions": "Тақырыптар бойынша жазылымдар: {topics}",
        "stats_articles": "Мақалалар: {total}",
        "stats_topic_line": "{topic}: {total} ({languages})",
        "stats_ingests": "<b>Соңғы жүктеулер</b>",
        "stats_ingest_line": (
            "{when} · {file}: сақталды {stored}, қайталанған {dups}, ақау {problems}"
        ),
        "stats_run": (
            "Соңғы тарату: {when} · жіберілді {sent}, қате {failed}, бұғаттағандар {blocked}"
        ),
        "stats_run_unfinished": "Соңғы тарату: {when} · аяқталмаған · жіберілді {sent}",
        "stats_no_run": "Тарату әлі болған жоқ",
    },
}


# The reader's news language (/newslang): which version of a story they are sent.
_NEWS_LANGUAGE: dict[str, dict[str, str]] = {
    "en": {
        "newslang_usage": (
            "You get each story once, in {current}; when it has no version in that language, "
            "in another one, with links to the others under it.\n"
            "Change it: /newslang en, /newslang ru, /newslang kk, /newslang all (every "
            "language: headlines of the other versions too) or /newslang auto (the interface "
            "language)"
        ),
        "newslang_set": "You now get the news in {current}.",
        "newslang_all": "every language (the interface language first)",
        "newslang_auto": "the interface language ({language})",
        "report_stories": (
            "Stories: {new} new, {linked} versions (translations, reposts) added to a story"
        ),
    },
    "ru": {
        "newslang_usage": (
            "Каждую новость вы получаете один раз, на языке: {current}; если такой версии "
            "нет, на другом языке, со ссылками на остальные версии.\n"
            "Изменить: /newslang en, /newslang ru, /newslang kk, /newslang all (все языки: "
            "с заголовками других версий) или /newslang auto (язык интерфейса)"
        ),
        "newslang_set": "Теперь вы получаете новости на языке: {current}.",
        "newslang_all": "все языки (сначала язык интерфейса)",
        "newslang_auto": "язык интерфейса ({language})",
        "report_stories": "Сюжеты: новых {new}, версий (переводов, перепечаток) добавлено {linked}",
    },
    "kk": {
        "newslang_usage": (
            "Әр жаңалықты бір рет аласыз, тілі: {current}; ол тілде нұсқасы болмаса, басқа "
            "тілде, қалған нұсқаларға сілтемелерімен.\n"
            "Өзгерту: /newslang en, /newslang ru, /newslang kk, /newslang all (барлық тіл: "
            "басқа нұсқалардың тақырыптарымен) немесе /newslang auto (интерфейс тілі)"
        ),
        "newslang_set": "Енді жаңалықтарды аласыз, тілі: {current}.",
        "newslang_all": "барлық тіл (алдымен интерфейс тілі)",
        "newslang_auto": "интерфейс тілі ({language})",
        "report_stories": (
            "Сюжеттер: жаңа {new}, қосылған нұсқалар (аудармалар, көшірмелер) {linked}"
        ),
    },
}
for _lang, _strings in _NEWS_LANGUAGE.items():
    STRINGS[_lang].update(_strings)


def language_of(code: str | None) -> str:
    """Our language for a Telegram `language_code` such as ``ru`` or ``en-US``."""
    if not code:
        return DEFAULT
    base = code.split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT


def t(lang: str, key: str, **values: Any) -> str:
    """The string `key` in `lang` (English when missing), formatted with `values`."""
    table = STRINGS.get(lang, STRINGS[DEFAULT])
    template = table.get(key) or STRINGS[DEFAULT][key]
    return template.format(**values) if values else template


# -- issue 12: keyword follows and mutes ---------------------------------------------------
# Kept in one block per feature so that parallel work on the strings above merges cleanly.

def _extend(
    menu: dict[str, list[tuple[str, str]]], strings: dict[str, dict[str, str]],
    help_key: str,
) -> None:
    """Add a feature's commands to the menu (before /help), its strings, and its /help
    section (`help_key`) after the general list."""
    for lang, entries in menu.items():
        at = next((i for i, (name, _) in enumerate(COMMANDS[lang]) if name == "help"),
                  len(COMMANDS[lang]))
        COMMANDS[lang][at:at] = entries
    for lang, table in strings.items():
        STRINGS[lang].update(table)
        if help_key in table:
            STRINGS[lang]["help"] += table[help_key]


_extend(
    {
        "en": [("follow", "Follow a word: /follow tax"), ("follows", "Your follows and mutes"),
               ("unfollow", "Stop following: /unfollow word|all"),
               ("mute", "Keep a word out of your digest: /mute word"),
               ("unmute", "Unmute: /unmute word|all")],
        "ru": [("follow", "Следить за словом: /follow налог"),
               ("follows", "Ваши слова и исключения"),
               ("unfollow", "Перестать следить: /unfollow слово|all"),
               ("mute", "Исключить слово из дайджеста: /mute слово"),
               ("unmute", "Вернуть слово: /unmute слово|all")],
        "kk": [("follow", "Сөзді бақылау: /follow салық"),
               ("follows", "Бақыланатын және алынып тасталған сөздер"),
               ("unfollow", "Бақылауды тоқтату: /unfollow сөз|all"),
               ("mute", "Сөзді дайджесттен алып тастау: /mute сөз"),
               ("unmute", "Сөзді қайтару: /unmute сөз|all")],
    },
    {
        "en": {
            "help_follows": (
                "\n\n<b>Keyword follows</b>\n"
                "/follow WORD or /follow \"PHRASE\" — news mentioning it, in any language, "
                "gets its own digest section (“Following: tax”); several: /follow tax, budget\n"
                "/unfollow WORD|all — stop following\n"
                "/mute WORD — articles mentioning it stay out of your digest; /unmute WORD|all\n"
                "/follows — what you follow and mute"
            ),
            "follow_section": "Following: {term}",
            "follow_usage": (
                "What should I follow? For example: /follow tax or "
                "/follow \"Constitutional Court\" (several: /follow tax, budget)"
            ),
            "mute_usage": "Which word should stay out of your digest? For example: /mute football",
            "unfollow_usage": "Which word? For example: /unfollow tax, or /unfollow all",
            "unmute_usage": "Which word? For example: /unmute football, or /unmute all",
            "term_empty": "A follow needs at least one word (letters or digits).",
            "term_too_long": (
                "“{term}” is too long: a follow is at most {words} words and {chars} characters."
            ),
            "follow_added": (
                "Following “{term}”: news mentioning it comes in your digest under "
                "“Following: {term}”."
            ),
            "follow_switched": "“{term}” was muted; now you follow it.",
            "follow_already": "You already follow “{term}”.",
            "follow_limit": (
                "“{term}” was not added: you follow {max} words, the most I keep. "
                "/unfollow one first."
            ),
            "mute_added": "Muted “{term}”: articles mentioning it stay out of your digest.",
            "mute_switched": "You followed “{term}”; now it is muted.",
            "mute_already": "“{term}” is already muted.",
            "mute_limit": (
                "“{term}” was not muted: you mute {max} words, the most I keep. "
                "/unmute one first."
            ),
            "unfollow_done": "You no longer follow “{term}”.",
            "unfollow_missing": "You were not following “{term}”.",
            "unfollow_all": "You no longer follow any word ({count} removed).",
            "unmute_done": "“{term}” is no longer muted.",
            "unmute_missing": "“{term}” was not muted.",
            "unmute_all": "Nothing is muted any more ({count} removed).",
            "follows_none": (
                "You follow no words yet. Try /follow tax or /follow \"Constitutional Court\"."
            ),
            "follows_list": (
                "<b>You follow</b> ({count} of {max}): {follows}\n<b>Muted</b>: {mutes}"
            ),
        },
        "ru": {
            "help_follows": (
                "\n\n<b>Слежение за словами</b>\n"
                "/follow СЛОВО или /follow \"ФРАЗА\" — новости с ним на любом языке попадают "
                "в отдельный раздел дайджеста («Слежу: налог»); несколько: /follow налог, бюджет\n"
                "/unfollow СЛОВО|all — перестать следить\n"
                "/mute СЛОВО — статьи с ним не попадут в дайджест; /unmute СЛОВО|all\n"
                "/follows — за чем вы следите и что исключили"
            ),
            "follow_section": "Слежу: {term}",
            "follow_usage": (
                "За чем следить? Например: /follow налог или /follow \"Конституционный суд\" "
                "(несколько: /follow налог, бюджет)"
            ),
            "mute_usage": "Какое слово исключить из дайджеста? Например: /mute футбол",
            "unfollow_usage": "Какое слово? Например: /unfollow налог или /unfollow all",
            "unmute_usage": "Какое слово? Например: /unmute футбол или /unmute all",
            "term_empty": "Нужно хотя бы одно слово (буквы или цифры).",
            "term_too_long": (
                "«{term}» — слишком длинно: не больше {words} слов и {chars} символов."
            ),
            "follow_added": (
                "Слежу за «{term}»: новости с этим словом придут в дайджесте в разделе "
                "«Слежу: {term}»."
            ),
            "follow_switched": "«{term}» было исключено; теперь вы за ним следите.",
            "follow_already": "Вы уже следите за «{term}».",
            "follow_limit": (
                "«{term}» не добавлено: вы уже следите за {max} словами, это предел. "
                "Сначала /unfollow одно из них."
            ),
            "mute_added": "«{term}» исключено: статьи с ним не попадут в дайджест.",
            "mute_switched": "Вы следили за «{term}»; теперь оно исключено.",
            "mute_already": "«{term}» уже исключено.",
            "mute_limit": (
                "«{term}» не исключено: исключено уже {max} слов, это предел. "
                "Сначала /unmute одно из них."
            ),
            "unfollow_done": "Вы больше не следите за «{term}».",
            "unfollow_missing": "Вы не следили за «{term}».",
            "unfollow_all": "Вы больше ни за чем не следите (удалено: {count}).",
            "unmute_done": "«{term}» больше не исключено.",
            "unmute_missing": "«{term}» не было исключено.",
            "unmute_all": "Исключений больше нет (удалено: {count}).",
            "follows_none": (
                "Вы пока ни за чем не следите. Попробуйте /follow налог или "
                "/follow \"Конституционный суд\"."
            ),
            "follows_list": (
                "<b>Вы следите</b> ({count} из {max}): {follows}\n<b>Исключено</b>: {mutes}"
            ),
        },
        "kk": {
            "help_follows": (
                "\n\n<b>Сөздерді бақылау</b>\n"
                "/follow СӨЗ немесе /follow \"ТІРКЕС\" — ол аталған кез келген тілдегі "
                "жаңалықтар дайджесттің жеке бөлімінде («Бақылауда: салық»); бірнешеуі: "
                "/follow салық, бюджет\n"
                "/unfollow СӨЗ|all — бақылауды тоқтату\n"
                "/mute СӨЗ — ол аталған мақалалар дайджестке кірмейді; /unmute СӨЗ|all\n"
                "/follows — бақыланатын және алынып тасталған сөздер"
            ),
            "follow_section": "Бақылауда: {term}",
            "follow_usage": (
                "Нені бақылаймыз? Мысалы: /follow салық немесе /follow \"Конституциялық сот\" "
                "(бірнешеуі: /follow салық, бюджет)"
            ),
            "mute_usage": "Қай сөзді дайджесттен алып тастаймыз? Мысалы: /mute футбол",
            "unfollow_usage": "Қай сөз? Мысалы: /unfollow салық немесе /unfollow all",
            "unmute_usage": "Қай сөз? Мысалы: /unmute футбол немесе /unmute all",
            "term_empty": "Кемінде бір сөз керек (әріптер не сандар).",
            "term_too_long": (
                "«{term}» тым ұзын: ең көбі {words} сөз және {chars} таңба."
            ),
            "follow_added": (
                "«{term}» бақылауда: ол аталған жаңалықтар дайджесттің «Бақылауда: {term}» "
                "бөлімінде келеді."
            ),
            "follow_switched": "«{term}» алынып тасталған еді; енді ол бақылауда.",
            "follow_already": "«{term}» бақылауда тұр.",
            "follow_limit": (
                "«{term}» қосылмады: {max} сөз бақылауда, бұл шек. Алдымен біреуін /unfollow."
            ),
            "mute_added": "«{term}» алынып тасталды: ол аталған мақалалар дайджестке кірмейді.",
            "mute_switched": "«{term}» бақылауда еді; енді ол алынып тасталды.",
            "mute_already": "«{term}» алынып тасталған.",
            "mute_limit": (
                "«{term}» алынып тасталмады: {max} сөз алынып тасталған, бұл шек. "
                "Алдымен біреуін /unmute."
            ),
            "unfollow_done": "«{term}» енді бақыланбайды.",
            "unfollow_missing": "«{term}» бақыланбаған.",
            "unfollow_all": "Енді ешбір сөз бақыланбайды (өшірілді: {count}).",
            "unmute_done": "«{term}» енді алынып тасталмайды.",
            "unmute_missing": "«{term}» алынып тасталмаған.",
            "unmute_all": "Алынып тасталған сөз қалмады (өшірілді: {count}).",
            "follows_none": (
                "Әзірге ешбір сөз бақыланбайды. Мысалы: /follow салық немесе "
                "/follow \"Конституциялық сот\"."
            ),
            "follows_list": (
                "<b>Бақылауда</b> ({max} ішінен {count}): {follows}\n"
                "<b>Алынып тасталған</b>: {mutes}"
            ),
        },
    },
    "help_follows",
)


# -- issue 12: inline sharing --------------------------------------------------------------
_extend(
    {},
    {
        "en": {"help_inline": (
            "\n\n<b>Sharing</b>\nIn any chat, type @ and this bot's username, then some words: "
            "matching stories are listed, and choosing one posts its title, summary and link."
        )},
        "ru": {"help_inline": (
            "\n\n<b>Поделиться</b>\nВ любом чате наберите @ и имя этого бота, затем слова: "
            "появятся подходящие новости; выбранная будет отправлена с заголовком, кратким "
            "содержанием и ссылкой."
        )},
        "kk": {"help_inline": (
            "\n\n<b>Бөлісу</b>\nКез келген чатта @ белгісін, осы боттың атын және сөздерді "
            "жазыңыз: сәйкес жаңалықтар шығады, таңдалғаны тақырыбымен, қысқаша мазмұнымен "
            "және сілтемесімен жіберіледі."
        )},
    },
    "help_inline",
)


# -- issue 12: the /stats chart --------------------------------------------------------------
_extend(
    {},
    {
        "en": {
            "chart_articles": "Articles per topic per day, last {days} days",
            "chart_digests": "Digests sent per day",
            "chart_other": "other topics",
            "chart_empty": "no articles in these days",
            "chart_caption": (
                "Last {days} days: {articles} articles on topics, {digests} digests sent"
            ),
        },
        "ru": {
            "chart_articles": "Статьи по темам за день, последние {days} дней",
            "chart_digests": "Отправлено дайджестов за день",
            "chart_other": "другие темы",
            "chart_empty": "за эти дни статей нет",
            "chart_caption": (
                "Последние {days} дней: статей по темам {articles}, дайджестов отправлено {digests}"
            ),
        },
        "kk": {
            "chart_articles": "Күніне тақырыптар бойынша мақалалар, соңғы {days} күн",
            "chart_digests": "Күніне жіберілген дайджестер",
            "chart_other": "басқа тақырыптар",
            "chart_empty": "бұл күндері мақала жоқ",
            "chart_caption": (
                "Соңғы {days} күн: тақырыптар бойынша мақала {articles}, "
                "жіберілген дайджест {digests}"
            ),
        },
    },
    "",
)


# -- issue 12: channel and group digests -----------------------------------------------------
_extend(
    {
        "en": [("channel", "Digests for your channel or group: /channel add @name")],
        "ru": [("channel", "Дайджест для вашего канала или группы: /channel add @name")],
        "kk": [("channel", "Арнаңызға не тобыңызға дайджест: /channel add @name")],
    },
    {
        "en": {
            "help_channels": (
                "\n\n<b>Channels and groups</b> (in a private chat with me)\n"
                "/channel add @name|ID — digests for a channel or group you administer; make me "
                "an administrator there first (in a channel: with the right to post)\n"
                "/channel list — your channels and their settings\n"
                "/channel topics|time|timezone|lang @name … — set them up\n"
                "/channel remove @name — no more digests there\n"
                "/channel thread TOPIC — sent inside a forum topic of a forum group: that "
                "topic's news goes to this thread"
            ),
            "channel_usage": (
                "Usage: /channel add @name (or its numeric id), /channel list, "
                "/channel topics @name, /channel time @name 08:00, "
                "/channel timezone @name Asia/Almaty, /channel lang @name ru, "
                "/channel remove @name"
            ),
            "channel_private_only": (
                "Set up channel digests in a private chat with me: /channel add @name"
            ),
            "channel_add_usage": (
                "Which channel or group? For example: /channel add @gov_news or "
                "/channel add -1001234567890"
            ),
            "channel_not_found": (
                "I can't find “{target}”. Add me to the channel or group first (as an "
                "administrator in a channel), then try again with its @name or numeric id."
            ),
            "channel_bot_not_admin": (
                "I am not an administrator of {channel} with the right to post messages. "
                "Make me one in the channel's settings, then try again."
            ),
            "channel_bot_cannot_post": (
                "I can't post in {channel}: add me to the group (or let me send messages), "
                "then try again."
            ),
            "channel_not_admin": "Only an administrator of {channel} can set up its digests.",
            "channel_added": (
                "✅ {channel} gets a daily digest at {time} ({tz}) in language {language}. "
                "Tap its topics below; change the rest with /channel time, /channel timezone "
                "and /channel lang."
            ),
            "channel_forum_hint": (
                "It is a forum: in each forum topic where a topic's news should go, send "
                "/channel thread TOPIC (for example /channel thread economy)."
            ),
            "channel_none": "You have not added any channel. /channel add @name",
            "channel_list": "<b>Your channels</b>",
            "channel_line": (
                "{channel} · <code>{id}</code>\n  topics: {topics}\n  {time} ({tz}), {language}; "
                "next digest: {next}"
            ),
            "channel_unknown": "“{target}” is not one of the channels set up here.",
            "channel_which": "Which channel? Name it: @name or its numeric id (/channel list).",
            "channel_removed": "{channel} gets no more digests.",
            "channel_topics": "Topics for {channel} (✅ = in its digest):",
            "channel_time_set": "{channel}: the daily digest comes at {time} ({tz}).",
            "channel_lang_usage": "Which language? /channel lang @name en|ru|kk",
            "channel_lang_set": "{channel}: digests are in language {language} now.",
            "channel_thread_forum_only": (
                "/channel thread works inside a forum topic of a forum group."
            ),
            "channel_thread_usage": (
                "Which topic should come to this thread? For example: /channel thread economy"
            ),
            "channel_thread_set": "{topic} news now comes to this thread.",
            "channel_thread_general": "{topic} news now comes to the General topic.",
            "channel_gone": "That channel is not set up any more.",
            "channel_digest_header": "📰 <b>{channel}</b> · news digest · {date}",
            "channel_cb_on": "{channel}: {topic} added",
            "channel_cb_off": "{channel}: {topic} removed",
        },
        "ru": {
            "help_channels": (
                "\n\n<b>Каналы и группы</b> (в личном чате со мной)\n"
                "/channel add @name|ID — дайджест для канала или группы, где вы администратор; "
                "сначала сделайте меня там администратором (в канале — с правом публикации)\n"
                "/channel list — ваши каналы и их настройки\n"
                "/channel topics|time|timezone|lang @name … — настроить\n"
                "/channel remove @name — больше не присылать туда дайджест\n"
                "/channel thread ТЕМА — в теме форума: новости этой темы идут в эту ветку"
            ),
            "channel_usage": (
                "Как пользоваться: /channel add @name (или числовой id), /channel list, "
                "/channel topics @name, /channel time @name 08:00, "
                "/channel timezone @name Asia/Almaty, /channel lang @name ru, "
                "/channel remove @name"
            ),
            "channel_private_only": (
                "Настройте дайджест канала в личном чате со мной: /channel add @name"
            ),
            "channel_add_usage": (
                "Какой канал или группа? Например: /channel add @gov_news или "
                "/channel add -1001234567890"
            ),
            "channel_not_found": (
                "Не нахожу «{target}». Сначала добавьте меня в канал или группу (в канал — "
                "администратором), затем повторите с @именем или числовым id."
            ),
            "channel_bot_not_admin": (
                "Я не администратор {channel} с правом публикации. Назначьте меня в "
                "настройках канала и повторите."
            ),
            "channel_bot_cannot_post": (
                "Я не могу писать в {channel}: добавьте меня в группу (или разрешите писать) "
                "и повторите."
            ),
            "channel_not_admin": "Настраивать дайджест {channel} может только его администратор.",
            "channel_added": (
                "✅ {channel} будет получать дайджест каждый день в {time} ({tz}) на языке "
                "{language}. Выберите темы ниже; остальное: /channel time, /channel timezone, "
                "/channel lang."
            ),
            "channel_forum_hint": (
                "Это форум: в каждой теме форума, куда должны идти новости темы, отправьте "
                "/channel thread ТЕМА (например, /channel thread economy)."
            ),
            "channel_none": "Вы не добавили ни одного канала. /channel add @name",
            "channel_list": "<b>Ваши каналы</b>",
            "channel_line": (
                "{channel} · <code>{id}</code>\n  темы: {topics}\n  {time} ({tz}), {language}; "
                "следующий дайджест: {next}"
            ),
            "channel_unknown": "«{target}» не настроен здесь как канал.",
            "channel_which": "Какой канал? Укажите @имя или числовой id (/channel list).",
            "channel_removed": "{channel} больше не получает дайджест.",
            "channel_topics": "Темы для {channel} (✅ — в дайджесте):",
            "channel_time_set": "{channel}: дайджест приходит в {time} ({tz}).",
            "channel_lang_usage": "Какой язык? /channel lang @name en|ru|kk",
            "channel_lang_set": "{channel}: язык дайджеста теперь {language}.",
            "channel_thread_forum_only": "/channel thread работает в теме форума.",
            "channel_thread_usage": (
                "Какая тема должна идти в эту ветку? Например: /channel thread economy"
            ),
            "channel_thread_set": "Новости темы «{topic}» теперь идут в эту ветку.",
            "channel_thread_general": "Новости темы «{topic}» теперь идут в общую ветку.",
            "channel_gone": "Этот канал больше не настроен.",
            "channel_digest_header": "📰 <b>{channel}</b> · дайджест новостей · {date}",
            "channel_cb_on": "{channel}: тема «{topic}» добавлена",
            "channel_cb_off": "{channel}: тема «{topic}» убрана",
        },
        "kk": {
            "help_channels": (
                "\n\n<b>Арналар мен топтар</b> (менімен жеке чатта)\n"
                "/channel add @name|ID — сіз әкімші болған арнаға не топқа дайджест; алдымен "
                "мені онда әкімші етіңіз (арнада — жариялау құқығымен)\n"
                "/channel list — арналарыңыз және олардың баптаулары\n"
                "/channel topics|time|timezone|lang @name … — баптау\n"
                "/channel remove @name — онда дайджест енді жіберілмейді\n"
                "/channel thread ТАҚЫРЫП — форум тақырыбында: осы тақырып жаңалықтары осында"
            ),
            "channel_usage": (
                "Қолдану: /channel add @name (не сандық id), /channel list, "
                "/channel topics @name, /channel time @name 08:00, "
                "/channel timezone @name Asia/Almaty, /channel lang @name kk, "
                "/channel remove @name"
            ),
            "channel_private_only": (
                "Арна дайджестін менімен жеке чатта баптаңыз: /channel add @name"
            ),
            "channel_add_usage": (
                "Қай арна не топ? Мысалы: /channel add @gov_news немесе "
                "/channel add -1001234567890"
            ),
            "channel_not_found": (
                "«{target}» табылмады. Алдымен мені арнаға не топқа қосыңыз (арнаға — "
                "әкімші ретінде), содан кейін @атымен не сандық id-мен қайталаңыз."
            ),
            "channel_bot_not_admin": (
                "Мен {channel} арнасында жариялау құқығы бар әкімші емеспін. Арна "
                "баптауларында мені әкімші етіп, қайталаңыз."
            ),
            "channel_bot_cannot_post": (
                "Мен {channel} тобына жаза алмаймын: мені топқа қосыңыз (не жазуға рұқсат "
                "беріңіз) және қайталаңыз."
            ),
            "channel_not_admin": "{channel} дайджестін тек оның әкімшісі баптай алады.",
            "channel_added": (
                "✅ {channel} күн сайын {time} ({tz}) {language} тілінде дайджест алады. "
                "Төменде тақырыптарды таңдаңыз; қалғаны: /channel time, /channel timezone, "
                "/channel lang."
            ),
            "channel_forum_hint": (
                "Бұл форум: тақырып жаңалықтары баратын әр форум тақырыбында "
                "/channel thread ТАҚЫРЫП жіберіңіз (мысалы, /channel thread economy)."
            ),
            "channel_none": "Сіз әлі арна қоспадыңыз. /channel add @name",
            "channel_list": "<b>Арналарыңыз</b>",
            "channel_line": (
                "{channel} · <code>{id}</code>\n  тақырыптар: {topics}\n  {time} ({tz}), "
                "{language}; келесі дайджест: {next}"
            ),
            "channel_unknown": "«{target}» мұнда арна ретінде бапталмаған.",
            "channel_which": "Қай арна? @атын не сандық id-ін жазыңыз (/channel list).",
            "channel_removed": "{channel} енді дайджест алмайды.",
            "channel_topics": "{channel} тақырыптары (✅ — дайджестте):",
            "channel_time_set": "{channel}: дайджест {time} ({tz}) келеді.",
            "channel_lang_usage": "Қай тіл? /channel lang @name en|ru|kk",
            "channel_lang_set": "{channel}: дайджест тілі енді {language}.",
            "channel_thread_forum_only": "/channel thread форум тақырыбында жұмыс істейді.",
            "channel_thread_usage": (
                "Бұл тармаққа қай тақырып келсін? Мысалы: /channel thread economy"
            ),
            "channel_thread_set": "«{topic}» жаңалықтары енді осы тармаққа келеді.",
            "channel_thread_general": "«{topic}» жаңалықтары енді жалпы тармаққа келеді.",
            "channel_gone": "Бұл арна енді бапталмаған.",
            "channel_digest_header": "📰 <b>{channel}</b> · жаңалықтар дайджесті · {date}",
            "channel_cb_on": "{channel}: «{topic}» қосылды",
            "channel_cb_off": "{channel}: «{topic}» алынды",
        },
    },
    "help_channels",
)


# -- issue 12: delivery modes and instant pushes ---------------------------------------------
_extend(
    {
        "en": [("mode", "Daily, weekly, instant or off: /mode topic mode")],
        "ru": [("mode", "Ежедневно, еженедельно, сразу или выкл.: /mode тема режим")],
        "kk": [("mode", "Күнделікті, апталық, бірден не өшіру: /mode тақырып режим")],
    },
    {
        "en": {
            "help_modes": (
                "\n\n<b>Delivery modes</b> (buttons under /mysubs)\n"
                "/mode TOPIC daily|weekly DAY|instant|off, or /mode \"WORD\" … for a follow: "
                "daily digest, one digest a week on DAY (mon…sun), instant (pushed as it "
                "arrives, at most 5 a day, none 22:00–08:00; the rest in the next digest), "
                "or nothing"
            ),
            "mysubs_follows_only": (
                "You follow keywords only.\nDaily digest at {time} ({tz}); next: {next}."
            ),
            "modes_intro": "How each comes (tap to change; instant: at most {max} a day):",
            "mode_daily": "daily",
            "mode_weekly": "weekly…",
            "mode_weekly_on": "weekly, {day}",
            "mode_instant": "instant",
            "mode_off": "off",
            "mode_back": "« back",
            "weekday_0": "Monday", "weekday_1": "Tuesday", "weekday_2": "Wednesday",
            "weekday_3": "Thursday", "weekday_4": "Friday", "weekday_5": "Saturday",
            "weekday_6": "Sunday",
            "mode_set": "{item}: {mode}",
            "mode_gone": "That is not one of your topics or follows any more.",
            "mode_usage": (
                "Usage: /mode economy weekly mon, /mode economy instant, "
                "/mode \"tax\" daily, /mode health off (or the buttons under /mysubs)"
            ),
            "mode_unknown": (
                "“{text}” is not a mode. Modes: daily, weekly DAY (mon, tue, wed, thu, fri, "
                "sat, sun), instant, off."
            ),
            "mode_not_yours": (
                "“{item}” is neither one of your topics nor a word you follow (/mysubs)."
            ),
            "instant_header": "⚡ <b>{section}</b>",
        },
        "ru": {
            "help_modes": (
                "\n\n<b>Режимы доставки</b> (кнопки под /mysubs)\n"
                "/mode ТЕМА daily|weekly ДЕНЬ|instant|off или /mode \"СЛОВО\" … для слова: "
                "ежедневный дайджест, раз в неделю в ДЕНЬ (пн…вс), сразу (по мере поступления, "
                "не больше 5 в день, не с 22:00 до 08:00; остальное — в дайджесте) или ничего"
            ),
            "mysubs_follows_only": (
                "Вы следите только за словами.\nДайджест каждый день в {time} ({tz}); "
                "следующий: {next}."
            ),
            "modes_intro": (
                "Как приходит каждая (нажмите, чтобы изменить; сразу — не больше {max} "
                "в день):"
            ),
            "mode_daily": "ежедневно",
            "mode_weekly": "еженедельно…",
            "mode_weekly_on": "еженедельно, {day}",
            "mode_instant": "сразу",
            "mode_off": "выкл.",
            "mode_back": "« назад",
            "weekday_0": "понедельник", "weekday_1": "вторник", "weekday_2": "среда",
            "weekday_3": "четверг", "weekday_4": "пятница", "weekday_5": "суббота",
            "weekday_6": "воскресенье",
            "mode_set": "{item}: {mode}",
            "mode_gone": "Этой темы или слова у вас больше нет.",
            "mode_usage": (
                "Как пользоваться: /mode economy weekly пн, /mode economy instant, "
                "/mode \"налог\" daily, /mode health off (или кнопки под /mysubs)"
            ),
            "mode_unknown": (
                "«{text}» — не режим. Режимы: daily, weekly ДЕНЬ (пн, вт, ср, чт, пт, сб, вс), "
                "instant, off."
            ),
            "mode_not_yours": (
                "«{item}» — не ваша тема и не слово, за которым вы следите "
                "(/mysubs)."
            ),
            "instant_header": "⚡ <b>{section}</b>",
        },
        "kk": {
            "help_modes": (
                "\n\n<b>Жеткізу режимдері</b> (/mysubs астындағы батырмалар)\n"
                "/mode ТАҚЫРЫП daily|weekly КҮН|instant|off немесе сөз үшін /mode \"СӨЗ\" …: "
                "күнделікті дайджест, аптасына бір рет КҮНІ (дс…жс), бірден (келген сайын, "
                "күніне ең көбі 5, 22:00–08:00 аралығында емес; қалғаны дайджестте) не ештеңе"
            ),
            "mysubs_follows_only": (
                "Сіз тек сөздерді бақылайсыз.\nДайджест күн сайын {time} ({tz}); келесісі: {next}."
            ),
            "modes_intro": (
                "Әрқайсысы қалай келеді (өзгерту үшін басыңыз; бірден — күніне ең көбі "
                "{max}):"
            ),
            "mode_daily": "күнделікті",
            "mode_weekly": "апталық…",
            "mode_weekly_on": "апталық, {day}",
            "mode_instant": "бірден",
            "mode_off": "өшірулі",
            "mode_back": "« артқа",
            "weekday_0": "дүйсенбі", "weekday_1": "сейсенбі", "weekday_2": "сәрсенбі",
            "weekday_3": "бейсенбі", "weekday_4": "жұма", "weekday_5": "сенбі",
            "weekday_6": "жексенбі",
            "mode_set": "{item}: {mode}",
            "mode_gone": "Бұл тақырып не сөз сізде енді жоқ.",
            "mode_usage": (
                "Қолдану: /mode economy weekly дс, /mode economy instant, "
                "/mode \"салық\" daily, /mode health off (не /mysubs астындағы батырмалар)"
            ),
            "mode_unknown": (
                "«{text}» — режим емес. Режимдер: daily, weekly КҮН (дс, сс, ср, бс, жм, сн, "
                "жс), instant, off."
            ),
            "mode_not_yours": (
                "«{item}» — сіздің тақырыбыңыз да, бақылайтын сөзіңіз де емес "
                "(/mysubs)."
            ),
            "instant_header": "⚡ <b>{section}</b>",
        },
    },
    "help_modes",
)


# -- issue 12: quiet hours for instant pushes -----------------------------------------------
_extend(
    {
        "en": [("quiet", "No instant pushes between: /quiet 22:00 08:00")],
        "ru": [("quiet", "Без мгновенных новостей: /quiet 22:00 08:00")],
        "kk": [("quiet", "Жедел жаңалықсыз уақыт: /quiet 22:00 08:00")],
    },
    {
        "en": {
            "help_quiet": "\n/quiet HH:MM HH:MM|off — no instant pushes in between (local time)",
            "quiet_set": "No instant pushes from {start} to {end} (your local time).",
            "quiet_none": "Instant pushes come at any hour.",
            "quiet_usage": "Change: /quiet 23:00 07:00, or /quiet off",
            "quiet_invalid": (
                "“{value}” is not two times of day. For example: /quiet 23:00 07:00, "
                "or /quiet off"
            ),
        },
        "ru": {
            "help_quiet": "\n/quiet ЧЧ:ММ ЧЧ:ММ|off — без мгновенных новостей в это время",
            "quiet_set": "Мгновенных новостей не будет с {start} до {end} (по вашему времени).",
            "quiet_none": "Мгновенные новости приходят в любое время.",
            "quiet_usage": "Изменить: /quiet 23:00 07:00 или /quiet off",
            "quiet_invalid": (
                "«{value}» — не два времени суток. Например: /quiet 23:00 07:00 или /quiet off"
            ),
        },
        "kk": {
            "help_quiet": "\n/quiet СС:ММ СС:ММ|off — осы аралықта жедел жаңалық келмейді",
            "quiet_set": "{start}–{end} аралығында жедел жаңалық келмейді (жергілікті уақыт).",
            "quiet_none": "Жедел жаңалықтар кез келген уақытта келеді.",
            "quiet_usage": "Өзгерту: /quiet 23:00 07:00 немесе /quiet off",
            "quiet_invalid": (
                "«{value}» — екі уақыт емес. Мысалы: /quiet 23:00 07:00 немесе /quiet off"
            ),
        },
    },
    "help_quiet",
)


# -- issue 12: delivery modes for channels ---------------------------------------------------
_extend(
    {},
    {
        "en": {
            "help_channel_modes": (
                "\n/channel mode @name TOPIC daily|weekly DAY|instant|off — a channel topic's mode"
            ),
            "channel_mode_usage": (
                "Usage: /channel mode @name economy weekly mon (daily, weekly DAY, instant, off)"
            ),
            "channel_mode_not_subscribed": (
                "{channel} does not get {topic}: tick it first (/channel topics)."
            ),
        },
        "ru": {
            "help_channel_modes": (
                "\n/channel mode @name ТЕМА daily|weekly ДЕНЬ|instant|off — режим темы канала"
            ),
            "channel_mode_usage": (
                "Как пользоваться: /channel mode @name economy weekly пн "
                "(daily, weekly ДЕНЬ, instant, off)"
            ),
            "channel_mode_not_subscribed": (
                "{channel} не получает тему «{topic}»: сначала отметьте её (/channel topics)."
            ),
        },
        "kk": {
            "help_channel_modes": (
                "\n/channel mode @name ТАҚЫРЫП daily|weekly КҮН|instant|off — арна тақырыбының "
                "режимі"
            ),
            "channel_mode_usage": (
                "Қолдану: /channel mode @name economy weekly дс (daily, weekly КҮН, instant, off)"
            ),
            "channel_mode_not_subscribed": (
                "{channel} «{topic}» тақырыбын алмайды: алдымен белгілеңіз (/channel topics)."
            ),
        },
    },
    "help_channel_modes",
)
