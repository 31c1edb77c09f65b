"""The database schema as an ordered list of forward migrations.

``PRAGMA user_version`` holds how many of them have run. Never edit a migration that has
shipped: append a new one. Each runs in its own transaction together with the version bump.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: articles, their topics, the near-duplicate index, ingest runs, full-text search.
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        date TEXT NOT NULL,                 -- ISO date of publication
        body TEXT NOT NULL,
        summary TEXT NOT NULL,
        source_url TEXT,
        url_key TEXT UNIQUE,                -- canonical source URL
        text_key TEXT NOT NULL UNIQUE,      -- hash of the normalised text
        lang TEXT NOT NULL,
        section TEXT,
        quality REAL NOT NULL,
        minhash BLOB NOT NULL,
        duplicates INTEGER NOT NULL DEFAULT 0,
        ingest_id INTEGER REFERENCES ingests(id),
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_date ON articles(date DESC, id DESC);

    CREATE TABLE article_topics (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        topic TEXT NOT NULL,
        score REAL NOT NULL,
        assigned INTEGER NOT NULL,          -- 1 when score reached the threshold
        PRIMARY KEY (article_id, topic)
    );
    CREATE INDEX article_topics_topic ON article_topics(topic, assigned);

    CREATE TABLE lsh_bands (
        band TEXT NOT NULL,                 -- "band number:hash of its rows"
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (band, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX lsh_bands_article ON lsh_bands(article_id);

    CREATE TABLE ingests (
        id INTEGER PRIMARY KEY,
        file TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        parsed INTEGER NOT NULL,
        stored INTEGER NOT NULL,
        duplicates_exact INTEGER NOT NULL,
        duplicates_near INTEGER NOT NULL,
        replaced INTEGER NOT NULL,
        problems TEXT NOT NULL              -- JSON list of {line, reason}
    );

    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, body ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    """,
    # 2: the bot's subscribers, their topics, what each was sent, and digest runs.
    """
    CREATE TABLE subscribers (
        chat_id INTEGER PRIMARY KEY,
        user_id INTEGER,
        language TEXT NOT NULL DEFAULT 'en',   -- interface language: en, ru, kk
        timezone TEXT NOT NULL,                -- IANA name
        digest_time TEXT NOT NULL,             -- HH:MM local time
        next_digest_at TEXT,                   -- ISO UTC; NULL while not subscribed
        active INTEGER NOT NULL DEFAULT 1,     -- 0 once the user blocked the bot or /stop
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX subscribers_due ON subscribers(active, next_digest_at);

    CREATE TABLE subscriptions (
        chat_id INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
        topic TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, topic)
    );

    CREATE TABLE deliveries (
        chat_id INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        delivered_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, article_id)
    ) WITHOUT ROWID;

    CREATE TABLE digest_runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        sent INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        blocked INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 3: stories. A story is the versions of one news item: its translations (one article
    # row per language) and its reposts (more source URLs of a row). Existing articles each
    # become their own story, except that articles of one gov.kz news item (the same
    # ".../news/details/<id>" whatever ?lang=) become one story.
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL
    );
    ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id);
    -- Why the article joined its story (JSON, for `newsbot explain`).
    ALTER TABLE articles ADD COLUMN link_reason TEXT;
    -- Numbers and proper-noun skeletons for cross-language linking (JSON, digest.linking).
    ALTER TABLE articles ADD COLUMN link_features TEXT;
    CREATE INDEX articles_story ON articles(story_id, lang);

    -- The distinctive numbers of each article (digest.linking.numbers): a translation is
    -- looked for only among articles sharing enough of them.
    CREATE TABLE article_numbers (
        number TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (number, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX article_numbers_article ON article_numbers(article_id);

    -- Every source URL an article row was published under: its own and its reposts'.
    CREATE TABLE article_sources (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        url_key TEXT NOT NULL UNIQUE,       -- canonical URL (digest.dedup.canonical_url)
        news_key TEXT,                      -- gov.kz news item: the URL without ?lang=
        reason TEXT NOT NULL,               -- how this copy was matched (JSON)
        added_at TEXT NOT NULL
    );
    CREATE INDEX article_sources_article ON article_sources(article_id);
    CREATE INDEX article_sources_news ON article_sources(news_key);

    INSERT INTO article_sources (article_id, url, url_key, news_key, reason, added_at)
    SELECT id, source_url, url_key,
           CASE WHEN base GLOB 'https://gov.kz/*/news/details/[0-9]*'
                 AND NOT base GLOB 'https://gov.kz/*/news/details/*[^0-9]*'
                THEN base END,
           '{"how": "migrated"}', ingested_at
    FROM (SELECT id, source_url, url_key, ingested_at,
                 CASE WHEN instr(url_key, '?') > 0
                      THEN substr(url_key, 1, instr(url_key, '?') - 1) ELSE url_key END AS base
          FROM articles WHERE url_key IS NOT NULL AND source_url IS NOT NULL);

    -- A story's id is the smallest article id among its versions (stories first: the
    -- articles' story_id must point at an existing row).
    INSERT INTO stories (id, created_at)
    SELECT sid, min(ingested_at) FROM (
        SELECT coalesce(
            (SELECT min(s2.article_id) FROM article_sources s1
             JOIN article_sources s2 ON s2.news_key = s1.news_key
             WHERE s1.article_id = a.id AND s1.news_key IS NOT NULL),
            a.id) AS sid, a.ingested_at FROM articles a)
    GROUP BY sid;
    UPDATE articles SET story_id = coalesce(
        (SELECT min(s2.article_id) FROM article_sources s1
         JOIN article_sources s2 ON s2.news_key = s1.news_key
         WHERE s1.article_id = articles.id AND s1.news_key IS NOT NULL),
        id);
    UPDATE articles SET link_reason = CASE WHEN story_id = id
        THEN '{"how": "migrated"}'
        ELSE '{"how": "news_id", "migrated": true}' END;

    -- Every article is in a story: a row written without one gets a story of its own.
    CREATE TRIGGER articles_story AFTER INSERT ON articles WHEN new.story_id IS NULL BEGIN
        INSERT INTO stories (created_at) VALUES (new.ingested_at);
        UPDATE articles SET story_id = last_insert_rowid() WHERE id = new.id;
    END;

    -- The reader's news language: NULL = the interface language, 'all' = every language.
    ALTER TABLE subscribers ADD COLUMN news_language TEXT;
    """,
    # 4 (issue 12): keyword follows and mutes per chat, and the stem index they are matched
    # with. An article is indexed once (stems_indexed marks it); a changed title, text or
    # language drops its stems so it is indexed again.
    """
    CREATE TABLE follows (
        chat_id INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
        term TEXT NOT NULL,                    -- case-folded word or phrase
        mute INTEGER NOT NULL DEFAULT 0,       -- 1: matching articles are kept out
        created_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, term)
    );

    CREATE TABLE article_stems (
        stem TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (stem, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX article_stems_article ON article_stems(article_id);

    CREATE TABLE stems_indexed (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE TRIGGER articles_stems_au AFTER UPDATE OF title, body, lang ON articles BEGIN
        DELETE FROM article_stems WHERE article_id = old.id;
        DELETE FROM stems_indexed WHERE article_id = old.id;
    END;
    """,
    # 5 (issue 12): channels and groups an administrator set up from a private chat, and the
    # forum thread each topic goes to in a forum supergroup.
    """
    CREATE TABLE channels (
        chat_id INTEGER PRIMARY KEY REFERENCES subscribers(chat_id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        username TEXT,                         -- without @; NULL for a private channel
        kind TEXT NOT NULL,                    -- channel, group, supergroup
        is_forum INTEGER NOT NULL DEFAULT 0,
        added_by INTEGER NOT NULL,             -- the administrator who ran /channel add
        added_at TEXT NOT NULL
    );
    CREATE INDEX channels_added_by ON channels(added_by);

    CREATE TABLE forum_threads (
        chat_id INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
        topic TEXT NOT NULL,
        thread_id INTEGER NOT NULL,            -- message_thread_id of the forum topic
        PRIMARY KEY (chat_id, topic)
    );
    """,
    # 6 (issue 12): delivery modes per topic and per follow (daily, weekly:N with N the
    # weekday, Monday 0, instant, off), and the instant pushes each chat was sent (for the
    # daily cap).
    """
    ALTER TABLE subscriptions ADD COLUMN mode TEXT NOT NULL DEFAULT 'daily';
    ALTER TABLE follows ADD COLUMN mode TEXT NOT NULL DEFAULT 'daily';
    CREATE INDEX subscriptions_mode ON subscriptions(mode);
    CREATE INDEX follows_mode ON follows(mode);

    CREATE TABLE pushes (
        chat_id INTEGER NOT NULL REFERENCES subscribers(chat_id) ON DELETE CASCADE,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        pushed_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX pushes_chat_time ON pushes(chat_id, pushed_at);

    CREATE TABLE quiet_hours (                 -- a chat's own; without a row, 22:00-08:00
        chat_id INTEGER PRIMARY KEY REFERENCES subscribers(chat_id) ON DELETE CASCADE,
        quiet_from TEXT NOT NULL,              -- HH:MM local; equal to quiet_to: none
        quiet_to TEXT NOT NULL
    );
    """,
    # 7 (issue 9): reads that stay fast at 100,000 articles. The newest date of each story,
    # overall and per topic, so `latest` reads the first rows of an index instead of
    # grouping every article row (of a topic) into stories. A story's key is what those
    # grouping queries sorted by: max(date), then max(id), over its versions (that have
    # the topic). Kept by triggers, so every way a row changes (an insert, a replacement's
    # new topics, a story or date change, a delete) keeps it right: inserts add to it,
    # anything else recomputes the stories concerned. And a covering index for search.
    """
    CREATE TABLE story_dates (
        story_id INTEGER PRIMARY KEY,
        newest_date TEXT NOT NULL,
        newest_id INTEGER NOT NULL
    );
    CREATE INDEX story_dates_newest ON story_dates(newest_date DESC, newest_id DESC);

    CREATE TABLE topic_stories (
        story_id INTEGER NOT NULL,
        topic TEXT NOT NULL,
        newest_date TEXT NOT NULL,             -- of its versions assigned the topic
        newest_id INTEGER NOT NULL,
        PRIMARY KEY (story_id, topic)
    ) WITHOUT ROWID;
    CREATE INDEX topic_stories_newest
        ON topic_stories(topic, newest_date DESC, newest_id DESC);

    -- What a search needs of each match it ranks, without reading the article row: after
    -- its body, story_id sits past overflow pages, and a thousand matches read megabytes.
    CREATE INDEX articles_hit ON articles(id, story_id, lang, date);

    INSERT INTO story_dates (story_id, newest_date, newest_id)
    SELECT story_id, max(date), max(id) FROM articles WHERE story_id IS NOT NULL
    GROUP BY story_id;
    INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
    SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
    JOIN article_topics t ON t.article_id = a.id
    WHERE t.assigned = 1 AND a.story_id IS NOT NULL GROUP BY a.story_id, t.topic;

    CREATE TRIGGER story_dates_ai AFTER INSERT ON articles WHEN new.story_id IS NOT NULL BEGIN
        INSERT INTO story_dates (story_id, newest_date, newest_id)
        VALUES (new.story_id, new.date, new.id)
        ON CONFLICT (story_id) DO UPDATE SET
            newest_date = max(newest_date, excluded.newest_date),
            newest_id = max(newest_id, excluded.newest_id);
    END;
    CREATE TRIGGER story_dates_au AFTER UPDATE OF story_id, date ON articles
    WHEN old.story_id IS NOT new.story_id OR old.date IS NOT new.date BEGIN
        DELETE FROM story_dates WHERE story_id IN (old.story_id, new.story_id);
        INSERT INTO story_dates (story_id, newest_date, newest_id)
        SELECT story_id, max(date), max(id) FROM articles
        WHERE story_id IN (old.story_id, new.story_id) GROUP BY story_id;
        DELETE FROM topic_stories WHERE story_id IN (old.story_id, new.story_id);
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id IN (old.story_id, new.story_id) AND t.assigned = 1
        GROUP BY a.story_id, t.topic;
    END;
    CREATE TRIGGER story_dates_ad AFTER DELETE ON articles BEGIN
        DELETE FROM story_dates WHERE story_id = old.story_id;
        INSERT INTO story_dates (story_id, newest_date, newest_id)
        SELECT story_id, max(date), max(id) FROM articles WHERE story_id = old.story_id
        GROUP BY story_id;
        DELETE FROM topic_stories WHERE story_id = old.story_id;
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id = old.story_id AND t.assigned = 1 GROUP BY a.story_id, t.topic;
    END;

    CREATE TRIGGER topic_stories_ai AFTER INSERT ON article_topics WHEN new.assigned = 1
    BEGIN
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT story_id, new.topic, date, id FROM articles
        WHERE id = new.article_id AND story_id IS NOT NULL
        ON CONFLICT (story_id, topic) DO UPDATE SET
            newest_date = max(newest_date, excluded.newest_date),
            newest_id = max(newest_id, excluded.newest_id);
    END;
    CREATE TRIGGER topic_stories_ad AFTER DELETE ON article_topics WHEN old.assigned = 1
    BEGIN
        DELETE FROM topic_stories WHERE topic = old.topic
            AND story_id = (SELECT story_id FROM articles WHERE id = old.article_id);
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
            AND t.topic = old.topic AND t.assigned = 1
        GROUP BY a.story_id, t.topic;
    END;
    CREATE TRIGGER topic_stories_au AFTER UPDATE ON article_topics
    WHEN old.assigned = 1 OR new.assigned = 1 BEGIN
        DELETE FROM topic_stories WHERE topic = old.topic
            AND story_id = (SELECT story_id FROM articles WHERE id = old.article_id);
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
            AND t.topic = old.topic AND t.assigned = 1
        GROUP BY a.story_id, t.topic;
        DELETE FROM topic_stories WHERE topic = new.topic
            AND story_id = (SELECT story_id FROM articles WHERE id = new.article_id);
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id = (SELECT story_id FROM articles WHERE id = new.article_id)
            AND t.topic = new.topic AND t.assigned = 1
        GROUP BY a.story_id, t.topic;
    END;
    """,
    # 8 (issue 9): the story lookup's keys carry their article's date and language, so an
    # ingest reads only the keys of the articles of its window in other languages, not every
    # article that ever shared a key (a name's first letters, a number) and then each one's
    # row to check its date and language: 2.2 -> 0.3 ms an article at 1,200 stored, and it
    # no longer grows with the history. A key is written from its article's row, and follows
    # the row when its date or language changes.
    """
    CREATE TABLE article_keys (
        number TEXT NOT NULL,
        date TEXT NOT NULL,
        lang TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (number, date, lang, article_id)
    ) WITHOUT ROWID;
    INSERT INTO article_keys (number, date, lang, article_id)
    SELECT n.number, a.date, a.lang, n.article_id
    FROM article_numbers n JOIN articles a ON a.id = n.article_id;
    DROP TABLE article_numbers;
    ALTER TABLE article_keys RENAME TO article_numbers;
    CREATE INDEX article_numbers_article ON article_numbers(article_id);
    CREATE TRIGGER article_numbers_follow AFTER UPDATE OF date, lang ON articles
    WHEN old.date IS NOT new.date OR old.lang IS NOT new.lang BEGIN
        UPDATE article_numbers SET date = new.date, lang = new.lang WHERE article_id = new.id;
    END;
    """,
    # (issue 9) An ingest commits in short chunks and stays all-or-nothing to readers. Its
    # rows carry its ingest id, and while that id is in ingests_pending every reading query
    # leaves them out (digest.storage.visibility); the ingest's last short transaction
    # removes it. Sources it adds to stored articles and stories it creates carry the id
    # too, so the leftovers of an ingest that died can be found and deleted. The triggers
    # that keep story_dates and topic_stories (which `latest` reads) ignore pending rows:
    # the last transaction adds the ingest's stories to them (IngestWrites.publish).
    """
    CREATE TABLE ingests_pending (
        ingest_id INTEGER PRIMARY KEY REFERENCES ingests(id) ON DELETE CASCADE
    );
    ALTER TABLE article_sources ADD COLUMN ingest_id INTEGER;  -- NULL: before this migration
    ALTER TABLE stories ADD COLUMN ingest_id INTEGER;
    -- Covering for the ids and stories of one ingest (publish, clean-up, visibility).
    CREATE INDEX articles_ingest ON articles(ingest_id, story_id);
    CREATE INDEX article_sources_ingest ON article_sources(ingest_id)
        WHERE ingest_id IS NOT NULL;
    CREATE INDEX stories_ingest ON stories(ingest_id) WHERE ingest_id IS NOT NULL;

    DROP TRIGGER story_dates_ai;
    DROP TRIGGER story_dates_au;
    DROP TRIGGER story_dates_ad;
    DROP TRIGGER topic_stories_ai;
    DROP TRIGGER topic_stories_ad;
    DROP TRIGGER topic_stories_au;

    CREATE TRIGGER story_dates_ai AFTER INSERT ON articles WHEN new.story_id IS NOT NULL
        AND coalesce(new.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending) BEGIN
        INSERT INTO story_dates (story_id, newest_date, newest_id)
        VALUES (new.story_id, new.date, new.id)
        ON CONFLICT (story_id) DO UPDATE SET
            newest_date = max(newest_date, excluded.newest_date),
            newest_id = max(newest_id, excluded.newest_id);
    END;
    CREATE TRIGGER story_dates_au AFTER UPDATE OF story_id, date ON articles
    WHEN old.story_id IS NOT new.story_id OR old.date IS NOT new.date BEGIN
        DELETE FROM story_dates WHERE story_id IN (old.story_id, new.story_id);
        INSERT INTO story_dates (story_id, newest_date, newest_id)
        SELECT story_id, max(date), max(id) FROM articles
        WHERE story_id IN (old.story_id, new.story_id)
            AND coalesce(ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        GROUP BY story_id;
        DELETE FROM topic_stories WHERE story_id IN (old.story_id, new.story_id);
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id IN (old.story_id, new.story_id) AND t.assigned = 1
            AND coalesce(a.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        GROUP BY a.story_id, t.topic;
    END;
    -- A pending row never counted: deleting it (a failed ingest) changes nothing here.
    CREATE TRIGGER story_dates_ad AFTER DELETE ON articles
    WHEN coalesce(old.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending) BEGIN
        DELETE FROM story_dates WHERE story_id = old.story_id;
        INSERT INTO story_dates (story_id, newest_date, newest_id)
        SELECT story_id, max(date), max(id) FROM articles WHERE story_id = old.story_id
            AND coalesce(ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        GROUP BY story_id;
        DELETE FROM topic_stories WHERE story_id = old.story_id;
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id = old.story_id AND t.assigned = 1
            AND coalesce(a.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        GROUP BY a.story_id, t.topic;
    END;

    CREATE TRIGGER topic_stories_ai AFTER INSERT ON article_topics WHEN new.assigned = 1
    BEGIN
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT story_id, new.topic, date, id FROM articles
        WHERE id = new.article_id AND story_id IS NOT NULL
            AND coalesce(ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        ON CONFLICT (story_id, topic) DO UPDATE SET
            newest_date = max(newest_date, excluded.newest_date),
            newest_id = max(newest_id, excluded.newest_id);
    END;
    CREATE TRIGGER topic_stories_ad AFTER DELETE ON article_topics WHEN old.assigned = 1
    BEGIN
        DELETE FROM topic_stories WHERE topic = old.topic
            AND story_id = (SELECT story_id FROM articles WHERE id = old.article_id);
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
            AND t.topic = old.topic AND t.assigned = 1
            AND coalesce(a.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        GROUP BY a.story_id, t.topic;
    END;
    CREATE TRIGGER topic_stories_au AFTER UPDATE ON article_topics
    WHEN old.assigned = 1 OR new.assigned = 1 BEGIN
        DELETE FROM topic_stories WHERE topic = old.topic
            AND story_id = (SELECT story_id FROM articles WHERE id = old.article_id);
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
            AND t.topic = old.topic AND t.assigned = 1
            AND coalesce(a.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        GROUP BY a.story_id, t.topic;
        DELETE FROM topic_stories WHERE topic = new.topic
            AND story_id = (SELECT story_id FROM articles WHERE id = new.article_id);
        INSERT INTO topic_stories (story_id, topic, newest_date, newest_id)
        SELECT a.story_id, t.topic, max(a.date), max(a.id) FROM articles a
        JOIN article_topics t ON t.article_id = a.id
        WHERE a.story_id = (SELECT story_id FROM articles WHERE id = new.article_id)
            AND t.topic = new.topic AND t.assigned = 1
            AND coalesce(a.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        GROUP BY a.story_id, t.topic;
    END;
    """,
    # (issue 9) The story lookup's keys are filed by date first. Filed by key first, the
    # 30 keys of a new article went to 30 places spread over the whole table, so at 100,000
    # articles each one dirtied a page of its own (7 pages an article, written to the WAL
    # and back at every checkpoint); by date, a dump's articles, mostly of a few days,
    # share a few pages. The lookup reads the same entries: each day of its window (three)
    # and each key, an equality on both columns.
    """
    CREATE TABLE article_keys (
        date TEXT NOT NULL,
        number TEXT NOT NULL,
        lang TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (date, number, lang, article_id)
    ) WITHOUT ROWID;
    INSERT INTO article_keys (date, number, lang, article_id)
    SELECT date, number, lang, article_id FROM article_numbers;
    DROP TRIGGER article_numbers_follow;
    DROP TABLE article_numbers;
    ALTER TABLE article_keys RENAME TO article_numbers;
    CREATE INDEX article_numbers_article ON article_numbers(article_id);
    CREATE TRIGGER article_numbers_follow AFTER UPDATE OF date, lang ON articles
    WHEN old.date IS NOT new.date OR old.lang IS NOT new.lang BEGIN
        UPDATE article_numbers SET date = new.date, lang = new.lang WHERE article_id = new.id;
    END;
    """,
    # (issue 9) New articles' LSH bands go to a small table first, merged into lsh_bands in
    # key order from time to time (digest.storage.ingest_writes.merge_bands). Each of a new
    # article's 42 bands is a key at a random place: in the 4-million-entry lsh_bands of a
    # 100,000-article database each dirtied a page of its own (5,400 of the 8,700 pages a
    # 300-article ingest wrote). The small table is a few hundred pages, which a dump's bands
    # share; a merge writes each page of the big one once for thousands of articles. The
    # bands stored so far stay where they are: lsh_bands is the big level.
    """
    CREATE TABLE lsh_bands_recent (
        band TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (band, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX lsh_bands_recent_article ON lsh_bands_recent(article_id);
    """,
    # (issue 9) A counter that moves whenever what a search finds may have changed: an ingest
    # publishing (or the clean-up of one that died), or a visible article added, changed or
    # deleted outside an ingest's pending rows (a rewrite replacing a stored text, stories
    # linked). Store.search keeps the ranked matches of recent queries with the counter they
    # were read at, and reads it again with each page's stories: a repeated query costs one
    # read, not a ranking of 500 matches, and is never stale (digest.storage.search_cache).
    """
    CREATE TABLE search_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        generation INTEGER NOT NULL
    );
    INSERT INTO search_generation (id, generation) VALUES (1, 0);
    CREATE TRIGGER search_generation_published AFTER DELETE ON ingests_pending BEGIN
        UPDATE search_generation SET generation = generation + 1;
    END;
    CREATE TRIGGER search_generation_inserted AFTER INSERT ON articles
    WHEN coalesce(new.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending) BEGIN
        UPDATE search_generation SET generation = generation + 1;
    END;
    CREATE TRIGGER search_generation_updated
    AFTER UPDATE OF title, body, story_id, lang, date, ingest_id ON articles
    WHEN coalesce(old.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending)
        OR coalesce(new.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending) BEGIN
        UPDATE search_generation SET generation = generation + 1;
    END;
    CREATE TRIGGER search_generation_deleted AFTER DELETE ON articles
    WHEN coalesce(old.ingest_id, 0) NOT IN (SELECT ingest_id FROM ingests_pending) BEGIN
        UPDATE search_generation SET generation = generation + 1;
    END;
    """,
    # (issue 9) Both band tables without their index by article and foreign key. A merge of
    # the recent bands (in band order, ~130 short transactions for 6,000 articles) added to
    # the big table's article index and deleted from the small one's, in every transaction,
    # entries of all the articles it merged, spread over those indexes' every page: at
    # 100,000 stored they took 230,000 and 128,000 of the 350,000 pages such a merge wrote
    # (and the big one held 4 million entries). Nothing needs them: an article's bands are
    # computed again from its stored signature where they must go (a better copy replacing
    # it, IngestWrites.replace; an unfinished ingest deleted, IngestWrites.delete_some, whose
    # bands are all in the small table: a merge runs only after its ingest is published).
    # The near-duplicate lookup reads articles by the ids it finds: an entry left by a row
    # deleted some other way finds nothing (or, if its id were given again, one more
    # candidate, compared by its signature like any other).
    """
    CREATE TABLE lsh_bands_big (
        band TEXT NOT NULL,                 -- "band number:hash of its rows"
        article_id INTEGER NOT NULL,
        PRIMARY KEY (band, article_id)
    ) WITHOUT ROWID;
    INSERT INTO lsh_bands_big (band, article_id)
    SELECT band, article_id FROM lsh_bands ORDER BY band, article_id;
    DROP TABLE lsh_bands;
    ALTER TABLE lsh_bands_big RENAME TO lsh_bands;
    CREATE TABLE lsh_bands_small (
        band TEXT NOT NULL,
        article_id INTEGER NOT NULL,
        PRIMARY KEY (band, article_id)
    ) WITHOUT ROWID;
    INSERT INTO lsh_bands_small (band, article_id)
    SELECT band, article_id FROM lsh_bands_recent ORDER BY band, article_id;
    DROP TABLE lsh_bands_recent;
    ALTER TABLE lsh_bands_small RENAME TO lsh_bands_recent;
    """,
]
