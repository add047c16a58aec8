"""Every helpline number in the safety lesson is a link a phone can dial or text (issue 16),
through the public lesson page a frightened reader opens from the footer."""

import re

from django.test import Client

SAFETY = "/course/when-this-course-is-not-enough/"
LINK = re.compile(r"<a\b[^>]*>.*?</a>", re.S)
# A number of three or more digits, spaced or dashed, not part of a word (1800RESPECT).
NUMBER = re.compile(r"(?<![\w-])\d[\d -]{1,}\d(?![\w-])")


def where_to_turn(html: str) -> str:
    start = html.index('id="where-to-turn"')
    return html[start : html.index("We checked these numbers", start)]


def test_every_number_is_a_tel_or_sms_link(content):
    response = Client().get(SAFETY)
    assert response.status_code == 200
    section = where_to_turn(response.content.decode())

    # 988 is also the name of the US service ("988 Suicide & Crisis Lifeline").
    assert set(NUMBER.findall(LINK.sub("", section))) == {"988"}
    for href in [
        "tel:18007997233",
        "sms:88788?body=START",
        "tel:08082000247",
        "tel:1800737732",
        "sms:+61458737732",
        "tel:131114",
        "sms:+61477131114",
        "tel:0800733843",
    ]:
        assert f'href="{href}"' in section, href
