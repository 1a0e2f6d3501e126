"""Question titles from the whole asking turn: the question, not its preamble.

A question's clip starts at the asker's first word, so the turn the title is made
from opens with greetings, thanks, introductions, compliments and meta phrases
("a question for everybody"), and may name the person it is put to. Inputs are
caption-style: lowercase, unpunctuated, with the fillers of speech.
"""

from __future__ import annotations

import pytest

from publisher.plan.titles import case_word, is_pleasantry, question_title, sentence, subject_of

KNOWN = {
    "peter": "Peter",
    "alice": "Alice",
    "maria": "Maria",
    "rust": "Rust",
    "qemu": "QEMU",
    "linux": "Linux",
}
PANEL = {"peter", "alice", "maria", "priya", "tom"}  # the people on stage, lowercase


def title(turn: str, **kw) -> str:
    return question_title(turn, set(), KNOWN, **kw)


PREAMBLES = [
    (  # thanks + compliment + name + workplace, then a reported question
        "hi thanks for the great talk my name is tom i work at a small hosting company so i was"
        " wondering how you deal with noisy neighbours on shared storage",
        "How do you deal with noisy neighbours on shared storage?",
    ),
    (  # greeting + thanks + "i'm X from Y" + "my question is"
        "yeah hello thank you very much for the presentation i'm sara from the university of"
        " lisbon and my question is how do you measure tail latency in production",
        "How do you measure tail latency in production?",
    ),
    (  # compliment + "i'm a <role> at <org>"
        "great talk really enjoyed it i'm a kernel developer at a cloud provider and we see the"
        " same thing so do you plan to upstream the tracing patches",
        "Do you plan to upstream the tracing patches?",
    ),
    (  # "it was really interesting" + "i'm a phd student at ..."
        "thank you so much for the talk it was really interesting my name is lena and i'm a phd"
        " student at a university in berlin what are the biggest open problems in scheduling"
        " for heterogeneous cores",
        "What are the biggest open problems in scheduling for heterogeneous cores?",
    ),
    (  # "i'm X i work for Y" without "my name is"
        "hello i'm jonas i work for a bank and we run everything on premises is there a way to"
        " get the same isolation without hardware support",
        "Is there a way to get the same isolation without hardware support?",
    ),
    (  # no question form after the preamble: a request
        "thank you so much for the presentation my name is priya and i'm a developer at a bank"
        " tell us about your experience with fuzzing the parsers",
        "What is your experience with fuzzing the parsers?",
    ),
    (  # an opinion question about what was said just before it
        "hi great talk i'm tom from a hosting company so rust in the hypervisor what do you think",
        "What do you think about Rust in the hypervisor?",
    ),
]

VOCATIVES = [
    (  # a name before the question (already fine: guarded)
        "peter what do you think about rust in qemu",
        "What do you think about Rust in QEMU?",
    ),
    (  # moderator's thanks, then a name, then the question
        "okay thanks so alice are you proposing that we deprecate the old interface entirely",
        "Are you proposing that we deprecate the old interface entirely?",
    ),
    (
        "so alice are you proposing we drop 32-bit hosts",
        "Are you proposing we drop 32-bit hosts?",
    ),
    (  # a subject-less opinion question takes the subject said just before it
        "there's been a lot of talk about rust in the kernel what do you guys think",
        "What do you think about Rust in the kernel?",
    ),
    (  # the same with the name at the end
        "so rust in the kernel what do you think maria",
        "What do you think about Rust in the kernel?",
    ),
]

META = [
    (
        "a question for everybody on the panel what's the most underrated debugging tool in"
        " your workflow",
        "What is the most underrated debugging tool in your workflow?",
    ),
    (
        "this one is for peter how do you decide which fixes get backported to the stable branches",
        "How do you decide which fixes get backported?",
    ),
    (
        "i have a question for the whole panel should distributions enable the new allocator"
        " by default",
        "Should distributions enable the new allocator by default?",
    ),
    (
        "okay the next question is from the chat how do you keep the size of your test matrix"
        " under control",
        "How do you keep the size of your test matrix under control?",
    ),
]

FLOOR = [  # the chair picks the next asker: not the question
    (
        "who's got my second mic you sir sorry hello as the grandson of a refugee what should"
        " we do about the heritage sites",
        "What should we do about the heritage sites?",
    ),
    (
        "can i come to you you said it was bad bad bad do you see anything good in big tech",
        "Do you see anything good in big tech?",
    ),
    (
        "yes the lady please how will the new build system handle cross compiling",
        "How will the new build system handle cross compiling?",
    ),
    (  # mid-turn: the chair moves on after a question from the floor
        "is that really a military threat down here the lady please",
        "Is that a military threat?",
    ),
]

PLEASANTRY_FIRST = [
    (  # nothing but pleasantries, then the question in the next breath
        "thank you thank you so much for having me here it's a pleasure to be on this panel"
        " okay so why do distributions still ship such old toolchains",
        "Why do distributions still ship such old toolchains?",
    ),
    (
        "good morning everyone and thanks to the organizers for inviting me so what is the"
        " status of the new build system",
        "What is the status of the new build system?",
    ),
    (
        "good afternoon thank you all for coming it's an honour to be here i'd like to hear"
        " your thoughts on the new build system",
        "What are your thoughts on the new build system?",
    ),
]

STATEMENTS = [
    (
        "i'd like to hear your views on confidential computing",
        "What are your views on confidential computing?",
    ),
    (
        "tell us about your experience with live migration",
        "What is your experience with live migration?",
    ),
    (
        "maybe you could talk a little bit about the roadmap for the next release",
        "Can you tell us about the roadmap?",  # "for the next release" names nothing of the talk
    ),
    (
        "thanks for coming i'd love to get your perspective on the licensing change",
        "What is your perspective on the licensing change?",
    ),
    (
        "please walk us through the upgrade path from the old version",
        "Can you walk us through the upgrade path?",
    ),
    (  # a reported question after a request: asked directly
        "i would love to hear more about how the community handles security embargoes",
        "How does the community handle security embargoes?",
    ),
    (  # views "on how": the nested question is what is asked about
        "so what are your ideas on how to combat corruption in developing countries",
        "What are your ideas on how to combat corruption in developing countries?",
    ),
]

ALL = PREAMBLES + VOCATIVES + META + FLOOR + PLEASANTRY_FIRST + STATEMENTS
GROUPS = {
    "preamble skipped": PREAMBLES,
    "person asked dropped": VOCATIVES,
    "meta phrase skipped": META,
    "floor management skipped": FLOOR,
    "pleasantry gives way": PLEASANTRY_FIRST,
    "statement asked": STATEMENTS,
}


@pytest.mark.parametrize(
    ("turn", "expected"),
    [
        pytest.param(t, e, id=f"{g}-{i}")
        for g, cases in GROUPS.items()
        for i, (t, e) in enumerate(cases)
    ],
)
def test_the_title_is_the_question(turn, expected):
    """Audience preambles, the person asked, meta phrases and pleasantries are not the
    question; a statement-form request is asked."""
    assert title(turn) == expected


@pytest.mark.parametrize(
    "turn",
    [
        "what do you guys think peter",
        "thanks for your perspective so what do you guys think maria",
        "what's your take on that alice",
    ],
)
def test_a_trailing_name_is_dropped(turn):
    for names in (None, PANEL):
        t = title(turn, names=names)
        assert t.endswith("?"), t
        assert not {"Peter", "Maria", "Alice"} & set(t.rstrip("?").split()), t
        assert not is_pleasantry(t), t


def test_names_of_the_panel_can_be_passed_in():
    # "priya" is nobody the captions capitalise: only the list of people knows her
    turn = "how would you approach splitting a large monolith into services priya"
    assert (
        title(turn, names=PANEL)
        == "How would you approach splitting a large monolith into services?"
    )
    assert "priya" not in title(turn, names=PANEL).lower()
    # without names, a capitalised word of the talk is only dropped where it can't be
    # an object: "Emacs" stays after "use", "Peter" goes after "think"
    known = KNOWN | {"emacs": "Emacs"}
    assert question_title("do you still use emacs", set(), known) == "Do you still use Emacs?"
    assert question_title("what do you think peter", set(), known) == "What do you think?"


@pytest.mark.parametrize("turn", [t for t, _ in ALL])
def test_no_title_is_a_pleasantry(turn):
    for names in (None, PANEL):
        t = title(turn, names=names)
        assert not is_pleasantry(t), t
        assert t[0].isupper() and t.endswith("?"), t


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for the talk my name",
        "Thanks for your perspective",
        "Hi everyone",
        "Good morning",
        "Great talk",
        "That was a really interesting presentation",
        "My name is Dave and I work at Acme",
        "I work at Acme",
        "A question for everybody",
        "I have a question",
        "I have a quick question about the scheduler",
        "My question is",
        "This one is for Peter",
        "Question from the chat",
        "Peter",
        "Peter Feiner?",
    ],
)
def test_is_pleasantry(text):
    assert is_pleasantry(text)


@pytest.mark.parametrize(
    "text",
    [
        "What do you think about Rust in the kernel?",
        "How do you handle backups for large clusters?",
        "Emacs versus VI?",
        "Spectre and Meltdown: are they hype or are they real?",
        "What are your views on confidential computing?",
        "Can you tell us about the roadmap?",
        "Is there a question you wish we had asked?",
        "Why is thanking reviewers so rare?",
        "Thanking reviewers: why is it so rare?",
        "Welcoming newcomers: what works?",
        "KVM API?",
    ],
)
def test_is_not_pleasantry(text):
    assert not is_pleasantry(text)


def test_is_pleasantry_with_the_names_of_the_talk():
    assert is_pleasantry("Maria?", names={"maria"})
    assert not is_pleasantry("Kubernetes?", names={"maria"})


def test_a_question_naming_nothing_is_headed_by_what_the_asker_set_it_up_with():
    """'can you talk a little bit' says nothing of its own: the key phrase the asker
    said before it heads the title; one said only after it (in the answer) does not."""
    turn = (
        "backpropagation does not look like what happens in the brain so can you talk a little bit"
    )
    about = ["dendrites", "backpropagation"]
    assert title(turn, about=about) == "Backpropagation: can you talk a little bit?"
    assert title(turn + " yes dendrites", about=["dendrites"]) == "Can you talk a little bit?"
    named = "backpropagation is odd so can you talk about the brain"
    assert title(named, about=about) == "Can you talk about the brain?"


def test_a_question_leaving_out_its_subject_is_headed_by_the_key_phrase_said_with_it():
    """'is this something you've considered' names nothing the clip is about: the
    clip's main key phrase, said just before, heads the title. A name never does."""
    turn = (
        "hi so aside from locomotion i can use my body for nonverbal communication to show"
        " my intentions and i'm wondering if this is something that you've considered"
    )
    expected = "Nonverbal communication: is this something that you've considered?"
    assert title(turn, about=["nonverbal communication"], names=PANEL) == expected
    assert title(turn, about=["robots"], names=PANEL) == "Is this something that you've considered?"
    asked = "peter " + turn.removeprefix("hi so ")
    assert not title(asked, about=["peter"], names=PANEL).startswith("Peter")


def test_the_key_phrase_may_be_set_up_long_before_the_question():
    """An asker may set the subject up at length first: the clip's main key phrase
    heads the question however long before it was said, but never from after it."""
    setup = "so passive safety " + "and all of the regulation that came with it " * 5
    asked = "do you think some of these requirements may roll back"
    expected = "Passive safety: do you think some of these requirements may roll back?"
    assert title(setup + asked, about=["passive safety"], names=PANEL) == expected
    after = asked + " well passive safety is"
    assert title(after, about=["passive safety"], names=PANEL).startswith("Do you think")


def test_a_turn_asking_nothing_is_headed_by_the_clips_key_phrase():
    """A turn whose question isn't found gets its opening as a title, headed by the
    clip's main key phrase where the turn says it."""
    turn = "all right we have bobcat here with a note on kraken listings and liquidity"
    headed = title(turn, about=["kraken listings"], names=PANEL)
    assert headed == "Kraken listings: all right we have bobcat"
    assert title(turn, about=["lunch"], names=PANEL) == "All right we have bobcat"


def test_a_question_may_end_on_look_like():
    """'what should progress look like' keeps its 'like' (a trailing 'like' is
    otherwise a filler); 'what does it look' alone is no question's end."""
    asked = "so the gender pay gap came up a lot what should progress look like"
    assert title(asked) == "What should progress look like?"
    for asked in ("what did the first prototype look like", "what would that be like for users"):
        assert title(asked) == asked[0].upper() + asked[1:] + "?"
    assert not title("is it something you would like").endswith("like?")


def test_a_vague_question_without_an_opinion_word_is_headed_by_its_subject():
    """'... to see molecules but how did you do that': the title keeps the question,
    headed by its subject, never the subject alone as a one-word question."""
    turn = (
        "so now for the first time we can look inside cells to see molecules"
        " but how did you do that because microscopes had been around for ages"
    )
    assert title(turn, names=PANEL) == "Molecules: how did you do it?"


def test_do_that_ends_a_question_on_its_object():
    """'... help us do that professor Shiller well ...': 'do that' is the verb and its
    object, not a new question, and the title asks it as 'do it'."""
    turn = (
        "for those of us worried about the next crisis how far does your research help us"
        " do that peter well you are coming into a big disagreement"
    )
    assert title(turn, names=PANEL) == "How far does your research help us do it?"


def test_a_do_question_has_a_verb_after_its_subject():
    """'so did 242 of the 260 sailors' agrees with a statement; it asks nothing: the
    question is the one after it. 'Does Rust make ...' asks."""
    turn = (
        "magellan died halfway through and so did 242 of the 260 sailors what do you think it"
        " was like for that crew"
    )
    assert title(turn) == "What do you think it was like for that crew?"
    assert title("does rust make the kernel safer") == "Does Rust make the kernel safer?"


def test_do_before_it_or_this_is_the_verb_not_a_question():
    """'Do' takes 'it'/'this'/'that' only as its object ('does it' asks): 'they said
    we can do it to an extent' is a statement, and the question is the one after it."""
    turn = (
        "they said we can do it to an extent that is not useful and so what do you make of"
        " that argument"
    )
    assert title(turn) == "What do you make of that argument?"
    assert not title("do this because we have to set a new direction").endswith("?")
    assert title("do these rules apply to rust") == "Do these rules apply to Rust?"


@pytest.mark.parametrize(
    "turn, asks",
    [
        ("are i am an optimist about this whole discussion", False),
        ("does you think about it every day", False),
        ("is they going to the conference", False),
        ("are they going to the conference", True),
        ("does it work on arm", True),
        ("is it safe to run qemu as root", True),
    ],
)
def test_a_question_starts_with_an_auxiliary_that_agrees_with_its_subject(turn, asks):
    assert title(turn).endswith("?") == asks


@pytest.mark.parametrize(
    "turn, expected",
    [  # 'you' as a subject whose verb the captions lost ("weren't", a mumble): dropped
        (
            "would you accept jordan peterson's rules if you weren't jordan peterson oh good"
            " good point yeah well you know",
            "Would you accept jordan peterson's rules?",
        ),
        (
            "so let's go back all the way to the 76 campaign did you work on that campaign or"
            " did you yeah so this is a good example i did",
            "Did you work on that campaign?",
        ),
        # 'you' as an object: kept
        ("how important is it for you", "How important is it for you?"),
        ("what else can we show you", "What else can we show you?"),
    ],
)
def test_a_title_ends_on_you_only_as_an_object(turn, expected):
    assert title(turn) == expected


def test_not_in_a_question_that_goes_on():
    """'like and not like' goes on with the question; 'whether or not' is 'whether'."""
    turn = (
        "so before continuing down the line a few questions there but what what do you like"
        " and not like about ex machina as a movie because I actually watched it twice"
    )
    assert title(turn) == "What do you like and not like about ex machina as a movie?"
    turn = "i was wondering whether or not you can run qemu without kvm"
    assert title(turn) == "Can you run QEMU without KVM?"


@pytest.mark.parametrize(
    "turn, expected",
    [  # a preposition keeps a pointing object ("beyond those", "with this")
        (
            "are there commitments beyond those that you agreed on that your company is"
            " willing to make",
            "Are there commitments beyond those?",
        ),
        ("so my question is how will you deal with this", "How will you deal with this?"),
        # cut to length on a preposition or a modal: they go, not the question
        (
            "is there still some precious time left before climate change moves irreversibly"
            " beyond man's control if so what are the most urgent actions",
            "Is there still some precious time left before climate change moves irreversibly?",
        ),
        ("was the public aware that the agency might", "Was the public aware?"),
    ],
)
def test_a_title_does_not_end_on_a_preposition_or_a_modal(turn, expected):
    assert title(turn) == expected


def test_a_title_cut_to_length_does_not_end_on_an_adjective_without_its_noun():
    text = "have there been any talks about cyber security with the city of new york"
    words = text.split()
    cut = len(text) - len(" york") + 1  # room for every word but the last
    assert sentence(words, {}, question=True, limit=cut) == (
        "Have there been any talks about cyber security with the city?"
    )


def test_an_acronym_that_is_also_a_word_keeps_the_talks_casing():
    """'kvm' is KVM anywhere; 'arm' is ARM only where the talk writes it so (a talk on
    robots says 'arm' for a robot's arm)."""
    assert case_word("kvm", {}) == "KVM"
    assert case_word("arm", {}) == "arm"
    assert case_word("arm", {"arm": "ARM"}) == "ARM"
    assert title("how does the robot arm grip a cup") == "How does the robot arm grip a cup?"


def test_an_announced_subject_is_a_noun_phrase():
    """'a question about X are ...' names X: the subject ends before the verb, and 'in
    summary' is how it is said, not what it is about."""
    said = "a general question about in summary block times are causing slowness"
    assert subject_of(said) == ["block", "times"]
    assert subject_of("my question is about live migration can it be faster") == [
        "live",
        "migration",
    ]


def test_a_question_does_not_end_on_a_contracted_modal():
    """'... he says it'll': the verb after 'it'll' was lost, so it goes."""
    turn = "how will sub blocks make the chain faster he says it'll"
    assert title(turn, names=PANEL) == "How will sub blocks make the chain faster he says?"
