"""The demo's history: three past programmes, their notes from the field and their debriefs.

The insights come back across programmes in other words (unit prices, delivery news, callbacks
that never come, returns), and two disagree (self-checkout), so the insight library's
"heard before" has something to find on first run. Customers are described, never named.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from app.programmes.models import ActivityKind as K


class Slot(NamedTuple):
    kind: K
    title: str
    location: str
    day: int  #: days after the programme's first day
    hour: int  #: local start time
    hours: int
    online_url: str = ""


class NoteRow(NamedTuple):
    key: str  #: how insights name their evidence
    slot: int
    theme: str | None  #: the theme key the card is placed in; None leaves it unsorted
    type: str  #: observation or call_note
    fields: dict[str, Any]


class ThemeRow(NamedTuple):
    key: str
    name: str
    description: str
    dots: int


class InsightRow(NamedTuple):
    theme: str
    statement: str
    so_what: str
    evidence: tuple[str, ...]


class ActionRow(NamedTuple):
    what: str
    owner: str
    due_days: int  #: days after the debrief
    status: str
    answers: int | None = None  #: the insight it answers, by its place in `insights`
    note: str = ""  #: a progress note from its owner


class Past(NamedTuple):
    title: str
    weeks_ago: int
    purpose: str
    question: str
    debrief: str
    slots: list[Slot]
    notes: list[NoteRow]
    themes: list[ThemeRow]
    insights: list[InsightRow]
    actions: list[ActionRow]


def obs(
    key: str,
    slot: int,
    theme: str | None,
    customer: str,
    channel: str,
    did: str,
    *said: str,
    tags: tuple[str, ...],
    **more: Any,
) -> NoteRow:
    fields = {"customer": customer, "channel": channel, "did": did, "said": list(said)}
    return NoteRow(key, slot, theme, "observation", {**fields, "tags": list(tags), **more})


def call(
    key: str,
    slot: int,
    theme: str | None,
    reason: str,
    customer_type: str,
    moments: list[tuple[int, str, str]],
    *,
    tags: tuple[str, ...],
    **more: Any,
) -> NoteRow:
    timeline = [{"at": at, "what": what, "words": words} for at, what, words in moments]
    fields = {"reason": reason, "customer_type": customer_type, "moments": timeline}
    return NoteRow(key, slot, theme, "call_note", {**fields, "tags": list(tags), **more})


# Tables, laid out by hand to read as tables.
# fmt: off
CALL_CENTRE = Past(
    title="Call-centre listening week",
    weeks_ago=39,
    purpose="Everyone listens in to calls for half a day and meets the customers who phone us.",
    question="Why do customers call us, and what had they tried first?",
    debrief="Debrief: why customers call",
    slots=[
        Slot(K.CALL_LISTENING, "Listening in: orders and delivery line", "Leeds call centre",
             0, 9, 3),
        Slot(K.IN_DEPTH_INTERVIEW, "Phone interviews with customers who called twice", "",
             1, 10, 2, "https://meet.example.com/call-backs"),
        Slot(K.BEHIND_THE_COUNTER, "Behind the click-and-collect desk", "Kirkstall store",
             2, 12, 3),
        Slot(K.GROUP_DISCUSSION, "Group discussion: people who shop by phone",
             "Viewing studio, 12 Park Row", 3, 18, 2),
    ],
    notes=[
        call("kilo-call", 0, "prices", "Which pack of mince is cheaper?",
             "regular customer ordering for her mother",
             [(30, "Agent reads out the prices of two packs",
               "But which one is cheaper per kilo?"),
              (95, "Agent works it out on a calculator",
               "I can't see the shelf, love, I'm relying on you")],
             effort=4, mood_start=3, mood_end=3, resolved_first_contact=True,
             root_cause="The order screen shows pack prices only, not the price per kilo",
             do_better="Show agents the unit price and read it out", tags=("price", "value")),
        call("late-van", 0, "order", "Delivery slot has passed and nothing has come",
             "working parent",
             [(10, "Opens with the order number", "It was meant to be here between 8 and 10"),
              (140, "Agent can only see 'out for delivery'", "So you don't know either?")],
             effort=6, mood_start=2, mood_end=2, resolved_first_contact=False,
             root_cause="Agents cannot see where the van is or a new time",
             tags=("delivery", "waiting")),
        call("third-call", 0, "order", "Third call about the same missing item",
             "long-standing customer",
             [(5, "Sighs before the greeting", "I was promised a call back on Tuesday"),
              (60, "Tells the whole story again",
               "Do I have to tell you everything from the start?"),
              (240, "Agent books another callback",
               "You can ring me on 07700 900456 but I'm not holding my breath")],
             effort=7, mood_start=1, mood_end=2, resolved_first_contact=False,
             root_cause="Callbacks go into a queue that nobody owns",
             tags=("waiting", "callback")),
        call("kettle-return", 0, "returns", "How to return a kettle that leaks",
             "older customer",
             [(20, "Has the receipt ready", "I've already given all this to the last lady"),
              (180, "Asked for order number, address and card again",
               "Why does nobody write it down?")],
             effort=6, mood_start=3, mood_end=2, resolved_first_contact=False,
             root_cause="Return details are not passed from one agent to the next",
             tags=("returns",)),
        call("charged-twice", 0, "billing", "Charged twice for one grocery order",
             "new customer",
             [(15, "Reads from a bank statement", "I only noticed when I checked my bank"),
              (200, "Told the second payment will drop off", "How am I meant to know that?")],
             effort=5, mood_start=2, mood_end=3, resolved_first_contact=True,
             root_cause="Payment retried after a timeout at the checkout", tags=("billing",)),
        call("data-addon", 0, "billing", "Mobile bill 15 pounds higher than usual",
             "pay-monthly SIM customer",
             [(25, "Reads the bill line by line", "What's this data add-on? I never asked for it"),
              (160, "Agent explains it renews every month", "Nobody told me it would keep going")],
             effort=5, mood_start=2, mood_end=3, resolved_first_contact=True,
             root_cause="Add-ons renew without a reminder", tags=("billing", "mobile")),
        call("text-rescheduled", 0, "order", "Delivery moved to another day by text",
             "daughter of an older customer",
             [(12, "Reads the text message out", "It just says 'rescheduled', no time, nothing"),
              (130, "Agent offers a slot two days later",
               "She needs her shopping tomorrow, she can't get out")],
             effort=6, mood_start=2, mood_end=2, resolved_first_contact=False,
             root_cause="Rescheduling texts carry no time and no reason",
             tags=("delivery", "waiting")),
        obs("envelope-sums", 1, "prices", "retired man who orders by phone", "phone",
            "Described writing prices on the back of an envelope while on hold, to work out "
            "the best deal",
            "In the shop I'd put my glasses on and look. On the phone I've no chance.",
            needs=["the price per kilo read out with the price"],
            pain_points=["cannot compare pack sizes by ear"], tags=("price", "value")),
        obs("waited-all-afternoon", 1, "order", "woman in her 40s who works shifts", "phone",
            "Kept her phone on the desk all afternoon waiting for a callback that never came",
            "I can't take calls at work, so I sat there waiting for you",
            "Give me a time and I'll be there", needs=["a callback time she can plan around"],
            tags=("waiting", "callback"), labels=["own_words"]),
        obs("desk-no-record", 2, "returns", "man in his 30s carrying a boxed kettle", "store",
            "Came to the desk after two phone calls about a return; we had no record of either",
            "I've rung twice, they said you'd know all about it",
            pain_points=["telling the story again in every channel"], tags=("returns",),
            labels=["roadblock"]),
        obs("early-for-collection", 2, "order", "couple with a toddler in a pushchair", "store",
            "Arrived 40 minutes before their collection slot and waited by the desk",
            "The app just says 'preparing', we didn't know if it was ready",
            tags=("delivery", "waiting", "app")),
        obs("group-delivery-day", 3, "order", "six phone shoppers, most of them over 65", "phone",
            "Agreed that the worst part is the day of the delivery, not placing the order",
            "You wait in all day and nobody tells you anything",
            "Just ring me when the van's on its way", needs=["a time window on the day"],
            tags=("delivery", "waiting")),
        obs("group-offers", 3, "prices", "the same group, talking about offers", "phone",
            "Argued about whether the big pack on offer was really the better deal; nobody "
            "could say", "The lady on the phone reads the offer out, but is it cheaper?",
            tags=("price", "value")),
    ],
    themes=[
        ThemeRow("prices", "Prices over the phone",
                 "Phone customers cannot see a shelf ticket, so they cannot compare.", 3),
        ThemeRow("order", "Where is my order?", "Calls about when, not what.", 5),
        ThemeRow("returns", "Returns take several calls", "", 2),
        ThemeRow("billing", "Surprises on the bill", "", 2),
    ],
    insights=[
        InsightRow("prices", "Customers can't compare prices per kilo on the phone",
                   "Agents read out pack prices only, so customers do sums on paper or give up. "
                   "Show agents the unit price and read it out with the price.",
                   ("kilo-call", "envelope-sums", "group-offers")),
        InsightRow("order", "Customers ring because nobody tells them when their delivery will "
                   "actually arrive",
                   "Most delivery calls ask something a text could answer: a time window on the "
                   "day would take them away.",
                   ("late-van", "text-rescheduled", "group-delivery-day")),
        InsightRow("order", "Promised callbacks don't come, so customers ring again and start "
                   "from the beginning",
                   "Every missed callback makes a second and a third call, each longer and "
                   "angrier.", ("third-call", "waited-all-afternoon")),
        InsightRow("returns", "Returning something takes several calls because each agent asks "
                   "for the same details again",
                   "What a customer told us about a return reaches neither the next agent nor "
                   "the store.", ("kettle-return", "desk-no-record")),
        InsightRow("billing", "Customers find out about extra charges from their bank statement, "
                   "not from us",
                   "Double payments and renewing add-ons are explained only when people ring to "
                   "complain. Tell them before they find out.", ("charged-twice", "data-addon")),
    ],
    actions=[
        ActionRow("Show the price per kilo on the phone-order screen", "Contact centre systems",
                  60, "done"),
        ActionRow("Give every callback an owner and a time the customer chooses",
                  "Leeds call centre team leads", 45, "done"),
        # Owned by a person who can sign in to the demo and update it from the action register.
        ActionRow("Text a one-hour delivery window on the morning of delivery", "Employee 1",
                  120, "doing", answers=1),
    ],
)

STORES = Past(
    title="Stores closeness week",
    weeks_ago=22,
    purpose="Everyone spends a morning on the shop floor: at the tills, the shelves, the service "
    "desk and the sampling stands.",
    question="What gets in the way when people shop in our stores?",
    debrief="Debrief: in our stores",
    slots=[
        Slot(K.CUSTOMER_OBSERVATION, "Observe the tills and self-checkouts",
             "Birstall retail park store", 0, 10, 3),
        Slot(K.SHOPPER_INTERVIEW, "Interview shoppers in the cereal and rice aisles",
             "City centre store, Briggate", 1, 11, 2),
        Slot(K.DEMONSTRATOR_VISIT, "Sampling stand with the demonstrators",
             "Hypermarket, Castle Road", 2, 10, 4),
        Slot(K.BEHIND_THE_COUNTER, "Behind the customer service desk",
             "Flagship store, High Street", 3, 9, 4),
        Slot(K.CALL_LISTENING, "Listening in: calls to our stores", "Leeds call centre",
             4, 10, 2),
    ],
    notes=[
        obs("till-queue", 0, "tills", "woman in her 60s with a trolley", "store",
            "Walked past four free self-checkouts to join a queue of six at the staffed till",
            "I don't like those machines, they shout at you",
            asked="Why not the self-checkout?",
            answered="Unexpected item in the bagging area, every time. And I like a chat.",
            needs=["a person at the till"], pain_points=["machine errors with a full trolley"],
            tags=("self-checkout", "waiting"), labels=["workaround"], place="front tills"),
        obs("age-check", 0, "tills", "man in his 70s with a walking stick", "store",
            "Tried the self-checkout, waited four minutes for staff to approve a bottle of wine, "
            "then went to a till", "Do I look under 25 to you?",
            pain_points=["waiting for staff to approve"], tags=("self-checkout", "waiting")),
        obs("meal-deal", 0, "tills", "student with a meal deal", "store",
            "Used a self-checkout and was out in under a minute", "Nobody's judging my shopping",
            delights=["fast for a few items"], tags=("self-checkout",)),
        obs("cereal-sizes", 1, "value", "woman in her 30s with two children", "store",
            "Picked up the 500g and 750g boxes of the same cereal, read both tickets, then took "
            "the smaller one because it was on offer",
            "Is the big one actually cheaper? I can't tell with the offer on it",
            pain_points=["unit price in tiny print under the offer sticker"],
            task_answer="She could not tell which size was better value",
            tags=("price", "value"), labels=["roadblock"], place="aisle 7, cereals"),
        obs("rice-calculator", 1, "value", "man in his 40s in work clothes", "store",
            "Used the calculator on his phone to compare a 1kg and a 5kg bag of rice",
            "Why do I need a calculator to buy rice?", tags=("price", "value"),
            labels=["workaround"], place="aisle 4, rice"),
        obs("cheddar-taste", 2, "sampling", "couple in their 50s", "store",
            "Tasted the new own-brand cheddar at the stand and put two packs in the trolley",
            "I'd never have picked that one up, I always buy the same",
            delights=["trying before buying"], tags=("sampling", "own brand")),
        obs("multipack", 2, "value", "woman in her 20s with a basket", "store",
            "Asked the demonstrator whether the multipack was better value than two singles; "
            "the demonstrator did not know", "So which is the deal then?",
            tags=("price", "value", "sampling")),
        obs("yoghurt-boss", 2, "sampling", "dad with a child on his shoulders", "store",
            "The child tasted a yoghurt; he bought that brand instead of his usual one",
            "She's the boss, apparently", tags=("sampling",), labels=["surprise"]),
        obs("no-receipt", 3, "desk", "woman in her 40s with a bag of clothes", "store",
            "Was refused a refund for unworn jeans without a receipt. Offered her email, "
            "mum.of.three@example.com, to find the e-receipt, but the desk cannot search by "
            "email. Left with neither a refund nor a gift card",
            "I paid by card, can't you just look it up?", tags=("returns",), labels=["roadblock"]),
        obs("stolen-card", 3, "desk", "man in his 30s with a broken toaster", "store",
            "Had the receipt, but was told the refund can only go back to the card he paid with",
            "I cancelled that card when it was stolen. So what now?", tags=("returns",)),
        obs("ready-since-morning", 3, "desk", "woman in her 30s on her lunch break", "store",
            "Queued at the desk to ask whether her click-and-collect order was ready; it had "
            "been ready since the morning", "The email said 'we'll let you know', and nobody did",
            tags=("click and collect", "waiting", "delivery")),
        obs("printed-email", 3, "desk", "older man holding a printed order email", "store",
            "Showed the printout and asked when he should come back for his order",
            "I've come in twice already this week", tags=("click and collect", "waiting")),
        call("is-it-ready", 4, "desk", "Is my click-and-collect order ready?",
             "customer collecting on the way home",
             [(10, "Reads the order number from an email",
               "It says you'll let me know, but you haven't"),
              (70, "Agent checks with the store: ready since eleven", "I could've come at lunch!")],
             effort=4, mood_start=2, mood_end=3, resolved_first_contact=True,
             root_cause="Nothing tells customers when an order is ready",
             tags=("click and collect", "waiting")),
        call("tablets-per-wash", 4, "value", "Which box of washing tablets is cheaper per wash?",
             "regular shopper standing in the aisle",
             [(25, "Reads both shelf tickets out", "Is the box on offer cheaper, or the big one?")],
             effort=3, mood_start=3, mood_end=3, resolved_first_contact=True,
             tags=("price", "value")),
    ],
    themes=[
        ThemeRow("value", "Which is better value?", "", 4),
        ThemeRow("tills", "Tills and self-checkout", "Who uses which, and why.", 3),
        ThemeRow("desk", "At the service desk", "Collections and returns.", 4),
        ThemeRow("sampling", "Trying before buying", "", 1),
    ],
    insights=[
        InsightRow("value", "People could not tell which pack size was better value",
                   "Offer stickers cover the unit price, so shoppers use a phone calculator or "
                   "guess. Print the unit price bigger than the offer.",
                   ("cereal-sizes", "rice-calculator", "multipack")),
        InsightRow("tills", "Older shoppers avoid self-checkout and queue for a till",
                   "Machine errors and age checks put them off; without a staffed till they "
                   "would shop elsewhere.", ("till-queue", "age-check")),
        InsightRow("desk", "Click-and-collect customers don't know when their order is ready, "
                   "so they queue at the desk to ask",
                   "A 'ready to collect' message would take a queue away from the service desk.",
                   ("ready-since-morning", "printed-email", "is-it-ready")),
        InsightRow("desk", "Returns in store need the receipt and the same card, and people "
                   "give up without them",
                   "Staff cannot find a purchase by card or email, so refunds are lost and "
                   "people leave annoyed.", ("no-receipt", "stolen-card")),
        InsightRow("sampling", "A taste at the sampling stand sells a brand people would never "
                   "have picked off the shelf",
                   "Sampling changes habits: plan stands for every new own-brand line.",
                   ("cheddar-taste", "yoghurt-boss")),
    ],
    actions=[
        ActionRow("Print the unit price larger than the offer on shelf tickets", "Store design",
                  90, "done"),
        ActionRow("Keep at least one staffed till open whenever the store is open",
                  "Store operations", 30, "done"),
        ActionRow("Send a 'ready to collect' text with the desk's opening hours", "Digital team",
                  120, "open"),
    ],
)

ONLINE = Past(
    title="Online shop week",
    weeks_ago=9,
    purpose="Everyone watches people shop on our website and app, and listens to the online "
    "orders helpline.",
    question="Where do online shoppers get stuck between the basket and the doorstep?",
    debrief="Debrief: the online shop",
    slots=[
        Slot(K.CUSTOMER_OBSERVATION, "Watch shoppers use the website and the app",
             "User research lab, head office", 0, 10, 3),
        Slot(K.IN_DEPTH_INTERVIEW, "Video interviews with online shoppers", "", 1, 14, 2,
             "https://meet.example.com/online-shoppers"),
        Slot(K.CALL_LISTENING, "Listening in: online orders helpline", "Bristol call centre",
             2, 9, 3),
        Slot(K.SHOPPER_INTERVIEW, "Interview Scan & Go app users", "Birstall retail park store",
             3, 11, 2),
    ],
    notes=[
        obs("oil-tabs", 0, "deal", "woman in her 30s on a laptop", "web",
            "Opened three olive oils in tabs and scrolled each page to the bottom looking for "
            "the price per litre", "It must be here somewhere", "I'll just go for the middle one",
            pain_points=["unit price only under 'more details'"], tags=("price", "value", "web")),
        obs("chicken-sums", 0, "deal", "man in his 20s on his phone", "app",
            "Compared two packs of chicken thighs by working out the price per kilo in his "
            "head, and got it wrong", "The big one's better value, surely",
            surprised="He chose the dearer one per kilo, and was sure of it",
            tags=("price", "value", "app"), labels=["surprise"]),
        obs("form-step-six", 0, "returns", "woman in her 50s on a tablet", "web",
            "Started the online returns form and gave up at step 6 of 8, when it asked for "
            "a batch code", "This is worse than a tax return, I'll just ring them",
            pain_points=["a long form asking for things she did not have"],
            tags=("returns", "web"), labels=["roadblock"]),
        obs("basket-gone", 0, None, "woman in her 60s on her phone", "app",
            "The app signed her out while she was paying; her basket was empty when she "
            "signed back in, and she closed the app", "Well, that's that then", tags=("app",)),
        obs("dispatched-for-days", 1, "after", "man in his 40s who works from home", "web",
            "Showed us his order page: 'dispatched' for three days, with no tracking link",
            "Where is it? I've no idea whether to stay in", needs=["a tracking link and a day"],
            tags=("delivery", "waiting")),
        obs("chat-silence", 1, "after", "nurse in her 30s who works nights", "chat",
            "Showed the chat transcript: 'an adviser will get back to you within 24 hours', "
            "sent five days earlier", "It told me someone would get back to me. Nobody ever did.",
            tags=("waiting", "callback", "chat"), labels=["own_words"]),
        obs("post-office-return", 1, "returns", "retired teacher who shops online every week",
            "web", "Took a return to the post office, then rang twice to check it had arrived",
            "I'd rather take it back to the shop, but the website won't let me",
            tags=("returns",)),
        call("where-parcel", 2, "after", "Where is my parcel? It said dispatched on Monday",
             "online customer, first order",
             [(8, "Gives the order number straight away",
               "I've checked the website five times today"),
              (75, "Agent finds the courier's reference",
               "Why couldn't the website just show me that?")],
             effort=5, mood_start=2, mood_end=4, resolved_first_contact=True,
             root_cause="The courier's tracking is not shown on the order page",
             tags=("delivery", "waiting")),
        call("batch-code", 2, "returns", "Cannot finish the returns form",
             "regular online customer",
             [(30, "Explains that the form wants a batch code",
               "Where on earth do I find a batch code?"),
              (150, "Agent books the return by phone in two minutes",
               "Why couldn't the form do that?")],
             effort=5, mood_start=2, mood_end=4, resolved_first_contact=True,
             do_better="Ask only for the order number and the reason", tags=("returns", "web")),
        call("chat-follow-up", 2, "after", "Following up a chat that never got a reply",
             "customer who tried the chat first",
             [(15, "Reads out the chat reference", "The chat said you'd email me back"),
              (90, "Agent cannot see the chat history", "So I'm starting again? Brilliant."),
              (200, "Gives an email address for the reply",
               "Send it to night.owl.shopper@example.com, please, not the old one")],
             effort=6, mood_start=2, mood_end=2, resolved_first_contact=False,
             root_cause="Chat hand-offs go to an inbox that nobody owns",
             tags=("waiting", "callback", "chat")),
        call("per-wash", 2, "deal", "Which size of washing powder is better value?",
             "online shopper with a big family",
             [(20, "Has two product pages open", "One says per wash and the other says per kilo")],
             effort=3, mood_start=3, mood_end=4, resolved_first_contact=True,
             tags=("price", "value", "web")),
        obs("scan-myself", 3, "self", "woman in her 30s with a toddler in the trolley seat", "app",
            "Scanned everything as she shopped and paid on her phone without going near a till",
            "I'd rather scan it myself than queue and chat",
            "It's quicker, and nobody watches what I buy", delights=["no queue"],
            tags=("self-checkout", "app")),
        obs("no-queue-in-a-year", 3, "self", "man in his 50s in a suit", "app",
            "Skipped the queue with Scan & Go; said he shops here now because of it",
            "I haven't stood in a queue here for a year", tags=("self-checkout", "app", "waiting")),
    ],
    themes=[
        ThemeRow("deal", "Finding the best deal online", "", 3),
        ThemeRow("after", "After the order", "Between paying and the doorstep.", 5),
        ThemeRow("returns", "Returns online", "", 3),
        ThemeRow("self", "Doing it yourself", "", 1),
    ],
    insights=[
        InsightRow("deal", "Unit prices are hidden on product pages, so shoppers guess the "
                   "best deal",
                   "Each page shows a different unit (per wash, per kilo) or none; shoppers "
                   "guess, and often guess wrong.", ("oil-tabs", "chicken-sums", "per-wash")),
        InsightRow("after", "After ordering, shoppers cannot see where their parcel is, so they "
                   "phone to ask",
                   "The courier knows; we do not pass it on. A tracking link would answer the "
                   "call before it is made.", ("dispatched-for-days", "where-parcel")),
        InsightRow("after", "The chat promises that someone will get back to you, and then "
                   "nobody does",
                   "Customers who tried the chat first call us angrier, and agents cannot see "
                   "the chat.", ("chat-silence", "chat-follow-up")),
        InsightRow("returns", "The online returns form is so long that shoppers ring us instead",
                   "A two-minute call does what an eight-step form could not.",
                   ("form-step-six", "batch-code", "post-office-return")),
        InsightRow("self", "Customers prefer self-checkout: scanning their own shopping beats "
                   "queuing for a till",
                   "Scan & Go users shop here because there is no queue.",
                   ("scan-myself", "no-queue-in-a-year")),
    ],
    actions=[
        ActionRow("Show the price per kilo, litre or wash on every product page and in the app",
                  "Online shop product team", 45, "doing"),
        # Done, and it answers an insight: the people whose notes backed it hear about it.
        ActionRow("Put the courier's tracking link on the order page", "Digital team", 30, "done",
                  answers=1, note="The tracking link is on every order page and in the "
                  "dispatch email; calls asking where a parcel is are down by a third."),
        # Still open: the next closeness week carries it into its briefing.
        ActionRow("Cut the returns form to three steps, with no batch code", "Olu Organiser",
                  90, "open", answers=3),
    ],
)
# fmt: on

PAST = [CALL_CENTRE, STORES, ONLINE]
