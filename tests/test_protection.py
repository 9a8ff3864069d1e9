"""Protection: the referral per danger category, verified contacts, and `explain` showing why."""
from __future__ import annotations

from datetime import date

from bot.answer import Bot
from bot.cli import main
from bot.content import load_content
from bot.message import Message
from tests.conftest import msg


def _contact(day: date) -> str:
    return (f"  - name: Legal aid desk\n    reach: ask at the front door\n"
            f"    verified_by: the protection team\n    as_of: {day.isoformat()}\n")


def _with_contacts(content_dir, contacts: str) -> Bot:
    path = content_dir / "protection.yaml"
    path.write_text(path.read_text("utf-8").replace("verified_contacts: []\n",
                                                    "verified_contacts:\n" + contacts), "utf-8")
    return Bot(load_content(content_dir))


def test_verified_contacts_are_shown_under_every_referral(content_dir):
    bot = _with_contacts(content_dir, _contact(date(2026, 11, 20)))
    for text, lang in [("my husband beats me", "en"), ("меня хотят депортировать", "ru")]:
        reply = bot.answer(msg(text))
        assert reply.kind == "referral" and reply.lang == lang
        shown = [b.plain for b in reply.blocks]
        heading = bot.content.protection.contacts_heading[lang]
        assert shown[-2] == heading and reply.blocks[-2].spans[0].bold
        assert reply.blocks[-1].bullet
        assert shown[-1].startswith("Legal aid desk: ask at the front door (")
        assert "the protection team" in shown[-1]
        assert bot.format_date(date(2026, 11, 20), lang) in shown[-1]


def test_without_verified_contacts_the_referral_names_none(bot):
    reply = bot.answer(msg("my husband beats me"))
    shown = " ".join(b.plain for b in reply.blocks)
    assert bot.content.protection.contacts == ()
    assert bot.content.protection.contacts_heading["en"] not in shown
    assert "Almaty" in shown and "automated" in shown


def test_each_category_replies_in_the_message_language(bot):
    for category in bot.content.protection.categories:
        for lang, examples in category.examples.items():
            reply = bot.answer(msg(examples[0]))
            assert (reply.kind, reply.intent, reply.lang) == ("referral", category.id, lang), \
                examples[0]
            assert [b.plain for b in reply.blocks] == [
                b.plain for b in bot.answer(msg(examples[-1])).blocks]


def test_explain_shows_the_danger_score_category_and_rule(capsys):
    main(["explain", "the", "police", "took", "my", "husband"])
    out = capsys.readouterr().out
    assert "danger: detention " in out and "(threshold 0.5)" in out
    assert "rule: no topic is confident -> referral" in out
    main(["explain", "which police committee does UNHCR support"])
    out = capsys.readouterr().out
    assert "danger:" in out and "-> referral" not in out
    main(["explain", "this deadline is killing me, when is the office open"])
    out = capsys.readouterr().out
    assert "look-alike 'the deadline is killing me': 1.000" in out and "-> no referral" in out


def test_editor_adds_a_look_alike_and_the_question_is_answered(content_dir):
    question = "my phone was taken away at school, where is the unhcr office"
    before = Bot(load_content(content_dir)).answer(msg(question))
    path = content_dir / "protection.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "look_alikes:\n  en:\n", "look_alikes:\n  en:\n    - phone taken away at school\n"), "utf-8")
    after = Bot(load_content(content_dir)).answer(msg(question))
    assert before.kind == "referral"
    assert (after.kind != "referral" and after.menu) or after.kind == "answer"


# -- what the bot says it keeps is what the stores keep --------------------------------------

def test_the_privacy_notice_is_written_from_the_retention_the_stores_use(bot, monkeypatch):
    from bot import state
    for lang in bot.content.languages:
        shown = " ".join(b.plain for b in bot.answer(msg("/privacy", preferred_lang=lang)).blocks)
        for number in (state.LANGUAGE_RETENTION_DAYS, state.DECLINED_RETENTION_DAYS,
                       state.DEDUP_TTL_SECONDS // 3600):
            assert str(number) in shown, (lang, number)
        assert "{" not in shown
    monkeypatch.setattr(state, "DECLINED_RETENTION_DAYS", 14)
    shown = " ".join(b.plain for b in bot.answer(msg("/privacy")).blocks)
    assert "14 days" in shown and "30 days" not in shown


def test_help_names_privacy_and_each_platforms_own_commands(bot):
    for lang in bot.content.languages:
        telegram = " ".join(b.plain for b in bot.answer(msg("/help", preferred_lang=lang)).blocks)
        slack = " ".join(b.plain for b in bot.answer(
            Message(text="help", slash_text=True, platform="slack", preferred_lang=lang)).blocks)
        assert "/privacy" in telegram and "/language" in telegram
        assert "/unhcr privacy" in slack and "/unhcr language" in slack
        assert " /language" not in slack.replace("/unhcr language", "")


def test_a_message_asking_about_the_subject_gets_no_referral(bot):
    # The same danger words, asked for an essay or "in general", are about the subject.
    for text in ["for my essay: can refugees legally be deported from kazakhstan",
                 "депортация беженцев по закону рк, пишу реферат",
                 "депортацияланған адам қайта кіре ала ма, жалпы білгім келеді"]:
        reply = bot.answer(msg(text))
        assert reply.kind != "referral", text
    assert bot.answer(msg("they will deport me tomorrow")).kind == "referral"


def test_explain_names_the_subject_rule(capsys):
    main(["explain", "for", "my", "essay:", "can", "refugees", "be", "deported"])
    assert "rule: the message asks about the subject" in capsys.readouterr().out


def test_subject_words_typed_in_latin_letters_count_too(bot):
    # "diplomnoj" is дипломной typed in Latin letters: the same word, the same rule.
    for text in ["chto takoe vydvorenie i kak deportiruyut, pishu diplomnoj rabotu",
                 "we were beaten 3-0 in the match yesterday lol"]:
        assert bot.answer(msg(text)).kind != "referral", text
    assert bot.answer(msg("menya deportiruyut zavtra")).kind == "referral"


# A story of everyday words: arriving, days, staying, a passport, a relative. None of them
# says harm, though a danger example holds one ("gave me days to leave", "sent back").
STORIES = [
    "hello, we came from tajikistan with my wife and kids ten days ago and stay with a "
    "relative in almaty, my old passport is expired, how do we ask for refugee status",
    "добрый день, я приехала из узбекистана с детьми три недели назад, живём у сестры в "
    "шымкенте, паспорт скоро закончится, как подать на статус беженца",
]


def test_a_long_story_of_everyday_words_gets_no_referral(bot):
    for text in STORIES:
        assert bot.answer(msg(text)).kind != "referral", text
    # The same everyday word in a short message of danger still counts.
    assert bot.answer(msg("they gave me 3 days to leave the country")).kind == "referral"


def test_a_long_story_with_a_word_of_harm_gets_the_referral(bot):
    story = STORIES[0].replace("how do we ask for refugee status",
                               "yesterday the police said they will deport us")
    assert bot.answer(msg(story)).kind == "referral"


def test_explain_names_the_everyday_rule(capsys):
    main(["explain", *STORIES[1].split()])
    assert "a word that is not everyday" in capsys.readouterr().out


def test_a_contraction_says_not_as_the_word_without_its_apostrophe(bot):
    # "don't" and "dont" are one word: a negation, not "don" and "t".
    for text in ["i don't want to live anymore", "i dont want to live anymore",
                 "i don’t want to live anymore"]:
        reply = bot.answer(msg(text))
        assert (reply.kind, reply.intent) == ("referral", "self-harm"), text
    # "won't" is no victory: "they won't let me in" and "we won the cup" share no word.
    assert bot.index.analyse("they won't let me")[0] == bot.index.analyse("they wont let me")[0]


def test_a_year_of_history_makes_a_question_about_the_subject(bot):
    # The deportations of peoples to Kazakhstan (1937-1944) are history, asked about often.
    for text in ["my grandfather was deported to kazakhstan in 1944, where are the archives",
                 "деда депортировали в казахстан в 1937 году, где искать документы"]:
        assert bot.answer(msg(text)).kind != "referral", text
    assert bot.answer(msg("i was deported from russia in 2023, now they deport me again")
                      ).kind == "referral"


def test_kazakh_what_is_no_negation(bot):
    # "не" is the Kazakh "what" at the end of a question: "what is extradition" is no danger.
    for text in ["депортация деген не", "экстрадиция деген не?", "deportaciya degen ne?"]:
        assert bot.answer(msg(text)).kind != "referral", text
    assert bot.answer(msg("меня не выпускают из квартиры хозяин")).kind == "referral"


def test_an_everyday_word_counts_little_in_a_danger_example(bot):
    # "my boy has to work, no school for him" is held by "no school", hardly by "school":
    # the question about school gets no referral, the child kept from school does.
    assert bot.answer(msg("can our kids go to an ordinary school while we wait for asylum")
                      ).kind != "referral"
    reply = bot.answer(msg("my son has to work all day, no school for him"))
    assert (reply.kind, reply.intent) == ("referral", "child")


def test_games_and_laughter_get_no_referral(bot):
    for text in ["this pubg sniper killed me five times",
                 "my brother will murder me if i lose his phone hahah",
                 "мама меня убьёт если опоздаю ахаха"]:
        assert bot.answer(msg(text)).kind != "referral", text
    assert bot.answer(msg("my brother will murder me, he said it twice")).kind == "referral"


def test_a_game_is_no_danger_but_a_child_playing_outside_may_be(bot):
    # "игре" (in a game) is a subject word; "играли" (were playing) is not: children go
    # missing while playing.
    for text in ["в этой игре меня убили пять раз", "ойында мені тағы өлтірді",
                 "i keep getting killed in this game"]:
        assert bot.answer(msg(text)).kind != "referral", text
    for text in ["дети играли во дворе и сын пропал", "балам аулада ойнап жүріп жоғалып кетті"]:
        reply = bot.answer(msg(text))
        assert (reply.kind, reply.intent) == ("referral", "child"), text


def test_in_laws_are_relatives_not_the_law(bot):
    # "my in-laws beat me" once made "law" a danger word: questions about the refugee law
    # were referred.
    for text in ["which law protects refugees in kazakhstan, we discuss it in class",
                 "what does the refugee law say about family reunion"]:
        assert bot.answer(msg(text)).kind != "referral", text
    reply = bot.answer(msg("my mother-in-law hits me every day"))
    assert (reply.kind, reply.intent) == ("referral", "violence")


def test_statistics_are_the_subject_not_someone_s_danger(bot):
    # A journalist asking for trafficking figures was read as a trafficked person. A sport
    # is no subject word: "after football they beat my brother" is danger.
    for text in ["journalist here, do you have statistics on human trafficking victims in kz",
                 "журналистпин, адам саудасы бойынша сонгы 3 жылдын статистикасы бар ма"]:
        assert bot.answer(msg(text)).kind != "referral", text
    reply = bot.answer(msg("после футбола брата избили и забрали в полицию"))
    assert reply.kind == "referral"


def test_a_laughing_face_is_laughter(bot):
    # Tokens hold no emoji: the face is read from the text ("😂" as "haha"), a crying one is not.
    assert bot.answer(msg("my brother will murder me if i lose his phone 😂")).kind != "referral"
    assert bot.answer(msg("my brother will murder me if i lose his phone 😭")).kind == "referral"


def test_extending_a_registration_is_a_question_and_sex_for_it_is_danger(bot):
    assert bot.answer(msg("my registration ends soon, how can i extend it")).kind != "referral"
    reply = bot.answer(msg("the officer wants sex to extend my registration"))
    assert (reply.kind, reply.intent) == ("referral", "sexual-violence")


def test_everyday_verbs_of_staying_and_school_grades_are_no_danger(bot):
    # "қалғымыз келеді" (we want to stay) shares "қалғым келеді" with "асылып қалғым келеді"
    # (I want to hang myself); "5 сыныпта" (in 5th grade) with a child beaten by classmates.
    for text in ["біз алматыда тұрамыз, осында қалғымыз келеді. баспана қалай сұраймыз?",
                 "менің ұлым 5 сыныпта оқиды, бжкб туралы жоба жасап жатыр, бжкб қашан құрылды?"]:
        assert bot.answer(msg(text)).kind != "referral", text
    assert bot.answer(msg("асылып қалғым келеді")).kind == "referral"


def test_a_danger_verb_needs_no_pronoun_and_its_noun_asks_about_the_subject(bot):
    # Russian and Kazakh leave the pronoun out: "(they) attacked, broke (my) head".
    for text in ["на улице трое напали, разбили голову", "zorlady"]:
        assert bot.answer(msg(text)).kind == "referral", text
    # The noun of the same stem asks what it is: "deportation" is not "deported".
    for text in ["what is deportation", "депортация", "что такое депортация",
                 "what does extradition mean"]:
        assert bot.answer(msg(text)).kind != "referral", text
    assert bot.answer(msg("deported")).kind == "referral"


def test_no_news_of_someone_is_no_one_reading_the_news(bot):
    # "news" says a question about the subject ("news says russia deported many migrants"),
    # but not after a negation: "no news" of a person taken is danger.
    for text in ["they took my dad at the market, no news since yesterday",
                 "police picked up my husband at work, no news from him"]:
        reply = bot.answer(msg(text))
        assert (reply.kind, reply.intent, reply.lang) == ("referral", "detention", "en"), text
    assert bot.answer(msg("news says they deported many migrants from russia, "
                          "is kazakhstan doing the same")).kind != "referral"


def test_danger_in_every_word_gets_the_referral_though_no_example_holds_it(bot, capsys):
    # Kazakh typed in Latin letters: "I slashed my arm with a knife again, the blood won't
    # stop". No danger example holds enough of it; its words are danger words all the same.
    text = "qolymdy pyshaqpen tagy tildim, qan toqtamaidy"
    reply = bot.answer(msg(text))
    assert (reply.kind, reply.intent, reply.lang) == ("referral", "self-harm", "kk")
    main(["explain", text])
    out = capsys.readouterr().out
    assert "rule: under the danger threshold; odds at or over +3.0 -> referral" in out
    assert "odds of danger from every word: +" in out


def test_a_question_in_ordinary_words_that_weakly_holds_a_danger_example_is_answered(bot):
    # "rejected" + "appeal" + "days" half-hold "appeal against deportation rejected"; the
    # rest of the words ask how an asylum procedure works.
    reply = bot.answer(msg("my asylum claim got rejected, how to appeal it and how many days i have"))
    assert (reply.kind, reply.intent) == ("answer", "asylum")
    # Stateless parents asking how to register a birth: no child in danger.
    reply = bot.answer(msg("ребенок родился в шымкенте, мы с женой без гражданства, "
                           "как оформить ему свидетельство о рождении"))
    assert reply.kind != "referral" and reply.lang == "ru"


def test_a_look_alike_does_not_outweigh_the_danger_in_the_rest_of_the_message(bot, capsys):
    # "thanks for everything, goodbye, see you" is a look-alike: it holds every word of the
    # farewell example. A farewell that also says "tell my mother i tried" is a farewell.
    text = "thank you for everything. tell my mother i tried. goodbye"
    reply = bot.answer(msg(text))
    assert (reply.kind, reply.intent, reply.lang) == ("referral", "self-harm", "en")
    main(["explain", text])
    assert "the odds are at or over +3.0 -> referral" in capsys.readouterr().out
    # The look-alike's own kind of message keeps its ordinary reply.
    reply = bot.answer(msg("thanks for everything, goodbye, see you tomorrow at the office"))
    assert reply.kind != "referral"


def test_english_class_words_typed_in_a_russian_or_kazakh_message_are_its_own_words(bot):
    # Russian "no" is "но" (but), not the English "no" of a negation; Kazakh "me" asks a
    # question, it is not the English "me" of someone in danger.
    for text, lang in [("policiya ostanovila proverit dokumenty i otpustila, vse norm, no nado "
                        "li vsegda nosit s soboi spravku?", "ru"),
                       ("turmeden qashu serialyn kordinder me? qai mausymy jaqsy", "kk")]:
        reply = bot.answer(msg(text))
        assert reply.kind != "referral" and reply.lang == lang
    # In an English message they are what they say.
    reply = bot.answer(msg("help me, police took my husband and no one tells us where he is"))
    assert (reply.kind, reply.intent) == ("referral", "detention")


def test_a_question_whose_words_are_far_from_danger_gets_no_referral(bot, capsys):
    # A student's and a journalist's questions hold a danger example ("held in detention",
    # "extradition") in words that are, all of them, the law topic's.
    for text in ["journalist here. what does kazakh law say about how long a foreigner can be "
                 "held in a detention centre before the court decides?",
                 "I'm a law student preparing a moot court case on extradition and "
                 "non-refoulement. does kazakh law protect refugees from extradition?"]:
        assert bot.answer(msg(text)).kind != "referral"
    main(["explain", "journalist here. what does kazakh law say about how long a foreigner can "
                     "be held in a detention centre before the court decides?"])
    assert "the words are far from danger (odds under -20.0)" in capsys.readouterr().out


def test_a_farewell_after_a_long_ordinary_story_keeps_the_referral(bot, capsys):
    # The story's words (refugee, status, university, office, UNHCR) add up to odds far from
    # danger; self-harm is said in ordinary words, so they do not take the referral away.
    text = ("I am a refugee from Syria, living in Almaty for six years. I was studying at the "
            "university but had to stop because my refugee status was not renewed and the office "
            "said wait. My family in Syria is all gone now, the last was my father in January. "
            "Today I bought a lot of pills at the pharmacy. I just want someone to know my name "
            "before. Thanks for everything UNHCR does.")
    reply = bot.answer(msg(text))
    assert (reply.kind, reply.intent, reply.lang) == ("referral", "self-harm", "en")
    main(["explain", text])
    assert "'self-harm' is said in ordinary words: odds under -20.0 do not take its referral " \
           "away" in capsys.readouterr().out


def test_asking_a_difference_or_to_donate_is_about_the_subject(bot):
    # Kazakh typed in Latin letters: "what is the difference between expulsion and
    # deportation"; someone who wants to give to a fund for children without parents.
    for text, lang in [("shygaru men deportaciya aiyrmashylygy qandai", "kk"),
                       ("i want to donate to a fund for children left without parents, is there "
                        "one", "en")]:
        reply = bot.answer(msg(text))
        assert reply.kind != "referral" and reply.lang == lang


def test_a_question_beside_a_hint_of_suicide_gets_the_self_harm_referral(bot):
    # "never mind, i won't be here tomorrow" after asking for the office; asking "the most
    # painless way": each used to get the office's or asylum's answer.
    for text in ["where is your office. never mind, i wont be here tomorrow anyway",
                 "what is the most painless way to go, asking for real"]:
        reply = bot.answer(msg(text))
        assert (reply.kind, reply.intent, reply.lang) == ("referral", "self-harm", "en"), text


def test_forgive_me_is_a_word_not_the_function_word_it_begins_like(bot):
    # "простите" (forgive me) was read as "просто" (just), which says nothing: a farewell of
    # thanks and "forgive me" got the thanks reply. A polite "простите" still asks its question.
    reply = bot.answer(msg("всем спасибо и простите меня. больше не напишу"))
    assert (reply.kind, reply.intent, reply.lang) == ("referral", "self-harm", "ru")
    reply = bot.answer(msg("простите, где находится офис увкб?"))
    assert (reply.kind, reply.intent) == ("answer", "office")


def test_russian_typed_in_latin_without_the_soft_sign_is_still_read(bot):
    # "ubet" is убьёт (will kill) typed without the soft sign; it was read as a rarer "убет"
    # (from a look-alike typed in Latin letters), and no danger was read.
    for text in ["muzh skazal chto ubet menya segodnya",
                 "gde vash ofis? svekrov skazala chto syn ee ubet menya"]:
        reply = bot.answer(msg(text))
        assert (reply.kind, reply.intent, reply.lang) == ("referral", "violence", "ru"), text


def test_in_a_story_a_relative_and_a_misread_word_are_no_danger(bot):
    # "қашады" (they flee) was corrected to "қамады" (locked up), a danger example of one
    # word, held because the story names a brother: the question got the referral.
    text = ("сәлеметсіз бе, ағам шекарада жүргізуші болып істейді. ол айтады шекарадан көп адам "
            "өтеді, біреулері жұмыс іздейді, біреулері соғыстан қашады. увкб аралас көші-қонмен "
            "айналыса ма?")
    reply = bot.answer(msg(text))
    assert (reply.kind, reply.intent, reply.lang) == ("answer", "mixed-migration", "kk")
    # The word as written still holds it in a story.
    reply = bot.answer(msg("сәлеметсіз бе, біз тәжікстаннан келдік, алматыда екі жыл тұрдық, "
                           "балалар мектепке барады, мен базарда істеймін. кеше түнде полиция "
                           "келіп ағамды қамады, қайда екенін білмейміз"))
    assert (reply.kind, reply.intent, reply.lang) == ("referral", "detention", "kk")


def test_a_story_whose_clear_question_holds_its_one_danger_word_is_answered(bot):
    # "police" is the danger word, the government topic holds it, and the rest of the story
    # (a police academy, cadets, a module) is ordinary: a teacher gets the answer.
    reply = bot.answer(msg("im a teacher at the police academy, we want a module about refugee rights "
                           "for cadets. does unhcr work with the migration police?"))
    assert (reply.kind, reply.intent) == ("answer", "government")
    # The same question after what happened to someone keeps the referral.
    reply = bot.answer(msg("my son was taken by the police yesterday. does unhcr work with the police?"))
    assert (reply.kind, reply.intent) == ("referral", "detention")
    assert "government" in reply.suggestions


def test_suicide_is_not_read_as_the_word_self_it_begins_like(bot):
    # "самоубийство" once gave the feature "сам" (self), as "самих" did: a question about a
    # stateless family's child got the self-harm referral.
    reply = bot.answer(msg("у соседей родилась дочка, а у них самих нет никакого гражданства. она "
                           "тоже будет без гражданства? увкб помогает в таких случаях?"))
    assert (reply.kind, reply.intent) == ("answer", "statelessness")
    reply = bot.answer(msg("брат всё время говорит о самоубийстве"))
    assert (reply.kind, reply.intent) == ("referral", "self-harm")


def test_two_clear_questions_may_hold_the_danger_words_between_them(bot):
    # "ребенок" and "без" hold "ребёнок один без родителей"; the two questions (will the child
    # be stateless, does UNHCR deal with it) account for both: the answers, not the referral.
    reply = bot.answer(msg("ребенок родился тут, у родителей нет гражданства. он тоже будет без "
                           "гражданства? увкб этим занимается?"))
    assert (reply.kind, reply.intent) == ("answer", "statelessness")
    # Two questions beside what happens to someone keep the referral.
    reply = bot.answer(msg("мужа завтра депортируют. где ваш офис и кто глава?"))
    assert (reply.kind, reply.intent) == ("referral", "removal")
