"""Main text through the real HTML extractor (``plugins.html_text`` via the page kind):
the article survives class words, landmarks that hold comments fall back, navigation and
consent-platform banners stay out, inline text is not glued, and hostile pages stay
bounded (issue 15)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from monitor.errors import ExtractError
from monitor.ingest.kinds import html_page_text
from monitor.models import FetchResult, Source

SOURCE = Source(id=1, url="https://www.example-town.be/news/twinning")

_SENTENCES = (
    "The municipal council met on Tuesday to discuss the twinning agreement with {}.",
    "Aldermen from both towns signed a letter about school exchanges in {}.",
    "A delegation will visit the partner town of {} next spring, the mayor said.",
    "The budget for the cooperation project with {} was approved unanimously.",
)
_TOWNS = ("Kindia", "Tillaberi", "Goree", "Ouidah", "Matam", "Kaolack", "Thies", "Dakar")


def article(n: int = 6) -> str:
    """``n`` distinct article paragraphs; the last one ends with ARTICLE-END."""
    paras = [" ".join(s.format(_TOWNS[(i + j) % 8]) for j, s in enumerate(_SENTENCES))
             for i in range(n)]
    paras[-1] += " ARTICLE-END."
    return "".join(f"<p>{p}</p>" for p in paras)


def page(body: str) -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Twinning news"
            f"</title></head><body>{body}</body></html>").encode()


def extract(body: bytes, pm) -> str:
    result = FetchResult(source_id=1, url=SOURCE.url, status=200,
                         headers={"content-type": "text/html; charset=utf-8"}, body=body)
    return html_page_text(pm, SOURCE, result).text


HEADER = ("<header class='site-header'><a href='/'>Example Town</a><nav><a href='/a'>News</a> "
          "<a href='/b'>Services</a></nav></header>")
TEASER = ("<h1>Twinning with Kindia renewed</h1><p class='byline'>By the communication service, "
          "published 3 March 2026. The council renewed the twinning agreement for another ten "
          "years; read the full report of the session below, with the decisions and the budget.</p>"
          "<p class='lead'>Ten years after the first visit, the partnership now covers school "
          "exchanges, drinking water and the training of civil servants in both towns.</p>")


# --------------------------------------------------------------------------- class words


@pytest.mark.parametrize("classes", ["l-sidebar-fixed l-article-body", "article-body pagination-first"])
def test_article_in_class_word_container_is_kept(pm, classes: str) -> None:
    """A container holding most of the page's paragraph text is kept whatever its class words."""
    body = page(f"{HEADER}<main>{TEASER}<div class='{classes}'>{article()}</div></main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "School exchanges in Tillaberi" in text.replace("school", "School")


def test_small_sidebar_is_still_dropped(pm) -> None:
    """A class-word container that holds little of the page's text is still boilerplate."""
    body = page(f"<main>{TEASER}{article()}<div class='sidebar'><p>Opening hours of the town "
                f"hall: Monday to Friday.</p></div></main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "Opening hours" not in text


def test_article_cut_into_class_word_blocks_between_ads_is_kept(pm) -> None:
    """An article in several blocks of one class word ("sidebar-grid__container"), with
    advertisements between them: no block holds most of the text, together they do."""
    paras = article(8).split("</p>")
    chunks = ["</p>".join(paras[i:i + 2]) + "</p>" for i in range(0, 8, 2)]
    ad = "<div class='ad-slot'>Advertisement</div>"
    blocks = ad.join(f"<div class='sidebar-grid__container'>{c}</div>" for c in chunks)
    body = page(f"{HEADER}<main><div class='sidebar-grid'>{TEASER}{blocks}</div>"
                f"<div class='sidebar'><p>Opening hours of the town hall: Monday to Friday.</p></div>"
                f"</main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text and text.count("The municipal council met") == 8
    assert "Opening hours" not in text


@pytest.mark.parametrize("line", [
    "Advertisement", "Publicité", "Annons 2", "Anzeige", "Advertentie",
    "Story continues below advertisement", "Lees ook: Gent tekent een nieuw charter met Mopti",
    "Lire aussi :", "Mehr zum Thema", "Les også: Ny vennskapsby i Ghana",
])
def test_advertisement_labels_and_read_also_lines_are_left_out(pm, line: str) -> None:
    """Furniture lines between an article's paragraphs go, in either path (with and
    without a landmark); a sentence that begins with a cue stays."""
    paras = article(6).split("</p>")
    sentence = "Read more about the exchange in the minutes of the council, which are online."
    inner = f"{paras[0]}</p><div class='x'>{line}</div><p>{sentence}</p>{'</p>'.join(paras[1:])}"
    for body in (page(f"{HEADER}<main>{TEASER}{inner}</main>"), page(f"{HEADER}<div>{TEASER}{inner}</div>")):
        text = extract(body, pm)
        assert "ARTICLE-END" in text and sentence in text
        assert line not in text.split("\n")


@pytest.mark.parametrize("wrap", ["<footer id='meta-data'>{}</footer>", "<form id='aspnetForm'>{}</form>",
                                  "<aside>{}</aside>", "<div role='contentinfo'>{}</div>"])
def test_a_footer_aside_or_form_holding_most_of_the_text_is_kept(pm, wrap: str) -> None:
    """Tags that hold no article on most pages are hints like class words: a video's
    transcript in the article's footer, a page wrapped whole in a form, stays."""
    small = "<footer><p>Published by the communication service of Example Town.</p></footer>"
    body = page(f"{HEADER}<main><h1>Twinning</h1><p>A short introduction to the video.</p>"
                f"{wrap.format(article(6))}{small}</main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "communication service" not in text  # a footer holding little is still left out


def test_prose_in_a_class_word_box_under_half_the_text_is_kept(pm) -> None:
    """A block whose class names a script ("js-code-nav-container") but that reads as an
    article (several long paragraphs, few links) is kept though it holds under half of
    the paragraph text; a related-stories box of headline links under it still goes."""
    about = "".join(f"<p>About item {i}: the town hall keeps a short description of each service "
                    f"here, with opening hours and the address of the desk.</p>" for i in range(12))
    related = "".join(f"<p><a href='/news/{i}'>Council news item number {i} about the budget of the "
                      f"town and its partner towns in Senegal and Guinea</a></p>" for i in range(3))
    body = page(f"{HEADER}<main><div class='Box md js-code-nav-container'>{article(4)}</div>"
                f"<div class='about'>{about}</div><div class='related'>{related}</div></main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text and "Council news item" not in text


def test_div_navigation_is_boilerplate(pm) -> None:
    """``div.navigation`` (previous/next links) is left out like ``nav``."""
    body = page(f"<main>{TEASER}{article()}<div class='navigation'><div class='alignleft'>"
                f"<a href='/n/1'>Older: Spring festival</a></div><div class='alignright'>"
                f"<a href='/n/3'>Newer: Library closed</a></div></div></main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "Spring festival" not in text and "Library closed" not in text


@pytest.mark.parametrize("classes", ["ShareBar", "c-share__item", "NewsletterModule-title"])
def test_camel_case_and_bem_class_words_count(pm, classes: str) -> None:
    """Class words are read in camel-case and BEM names too (``ShareBar``, ``c-share__item``)."""
    body = page(f"<main>{TEASER}{article()}<div class='{classes}'><a href='/s/f'>Facebook</a> "
                f"<a href='/s/t'>Twitter</a> <span>Sign up for the weekly town letter</span></div></main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "Facebook" not in text and "weekly town letter" not in text


def test_class_words_are_whole_words(pm) -> None:
    """A class word inside a longer word (``shared-services``, ``Loads``) is not a class word."""
    body = page(f"<main>{TEASER}{article()}<div class='shared-services LoadsPanel'><p>The shared "
                f"services desk of both towns opens on Mondays.</p></div></main>")
    text = extract(body, pm)
    assert "shared services desk" in text


ABOUT = ("<div class='post-meta'><span class='ArticleByline'>By Ines Vermeulen</span> "
         "<time class='entry-date published'>12 March 2026</time> "
         "<span class='updated'>Updated 13 March 2026, 09:12</span></div>"
         "<div class='comment-count'>14</div><span class='photo-credit'>Photo: Studio Noord</span>")


def test_byline_dates_and_counts_are_left_out(pm) -> None:
    """Short lines about the article (byline, dates, counts, a credit) are not its text."""
    body = page(f"<main><h1>Twinning with Kindia renewed</h1>{ABOUT}{article()}</main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text and text.startswith("Twinning with Kindia renewed")
    for line in ("Ines Vermeulen", "12 March 2026", "Updated 13 March", "14", "Studio Noord"):
        assert line not in text


def test_meta_class_holding_prose_is_kept(pm) -> None:
    """A "byline" or "caption" element that holds a sentence of prose is text, not metadata."""
    caption = ("The video shows the twinning ceremony in Kindia, where both mayors planted a "
               "mango tree in front of the new school and the children sang for the delegation.")
    body = page(f"<main><h1>Twinning with Kindia renewed</h1><div class='video-caption'>{caption}"
                f"</div>{article()}</main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "both mayors planted a mango tree" in text


@pytest.mark.parametrize("block", [
    "<div class='widget widget_recent_entries'><h3>Recent posts</h3><ul><li><a href='/n/7'>Market "
    "square reopens after the works</a></li></ul></div>",
    "<div class='StoryPromo'><a href='/n/8'>Market square reopens after the works</a><p>The "
    "square was closed for eight months.</p></div>",
    "<div class='gallery gallery-columns-3'><dl class='gallery-item'><dt><img src='/1.jpg' alt=''>"
    "</dt><dd>Market square reopens after the works, seen from the belfry at dawn on Sunday</dd>"
    "</dl><button>Next picture</button></div>",
    "<div class='author-bio'><p>Ines Vermeulen covers the Market square works and everything else "
    "that moves in the town centre for the town's magazine since 2019.</p></div>",
    "<div class='c-article__tools'><a class='btn btn-primary' href='/n/8'>Market square works: "
    "the map</a></div>",
    "<div class='TrendingList'><h3>Now</h3><ol><li><a href='/n/8'>Market square reopens</a></li>"
    "<li><a href='/n/9'>New bus lines from Monday</a></li></ol></div>",
    "<div class='post-tags'><span>Tags:</span> <a href='/t/1'>Market square</a> <a href='/t/2'>"
    "works</a></div>",
], ids=["widget", "promo", "gallery", "bio", "btn", "trending", "tags"])
def test_widgets_promos_and_galleries_in_the_landmark_are_left_out(pm, block: str) -> None:
    """A theme widget, a promo for another story, a slideshow, an author's bio box, a button, a
    trending list or a list of tags set into the article is not its text."""
    paras = article()
    cut = paras.index("</p>") + 4
    body = page(f"<main>{TEASER}{paras[:cut]}{block}{paras[cut:]}</main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text and "Ten years after the first visit" in text
    assert "Market square" not in text


def test_picture_captions_are_left_out(pm) -> None:
    """A picture's caption and credit inside the landmark are not watched text."""
    body = page(f"<main>{TEASER}<figure><img src='/kindia.jpg' alt=''><figcaption>The delegation "
                f"in Kindia, March 2026. Photo: Example Town</figcaption></figure>{article()}</main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text and "Ten years after the first visit" in text
    assert "Photo: Example Town" not in text


def test_credit_in_a_picture_figure_is_left_out(pm) -> None:
    """A picture's credit marked up outside ``figcaption`` (a ``span`` in the ``figure``) is left out."""
    body = page(f"<main>{TEASER}<figure class='lead-image'><img src='/kindia.jpg' alt=''><span "
                f"class='image-and-source'><span>Image source</span> <span>Studio Noord for Example "
                f"Town</span></span></figure>{article()}</main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text and "Ten years after the first visit" in text
    assert "Studio Noord" not in text


def test_table_in_a_figure_is_kept(pm) -> None:
    """A ``figure`` holding a table (a block editor's table of partner towns) is text, not a caption."""
    rows = "".join(f"<tr><td>{t}</td><td>{1960 + i}</td></tr>" for i, t in enumerate(PARTNERS[:4]))
    body = page(f"<main>{TEASER}{article()}<figure class='wp-block-table'><img src='/map.png' alt=''>"
                f"<table><tbody>{rows}</tbody></table></figure></main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text and "Kaniv (Ukraine)" in text


# --------------------------------------------------------------------------- landmark check


def comments(n: int) -> str:
    return "".join(
        f"<li class='comment' id='comment-{i}'><div class='comment-author'><a href='/u/{i}'>"
        f"reader{i}</a></div><div class='comment-content'><p>Comment {i}: I think the town "
        f"should spend this money on the roads instead, every year the same story with these "
        f"trips abroad and nobody asks the citizens what they want (number {i}).</p></div>"
        f"<a class='comment-reply-link' href='#c{i}'>Reply</a></li>" for i in range(n))


def test_main_holding_the_comment_thread_falls_back(pm) -> None:
    """A ``<main>`` that holds a long comment thread gives the article, not the comments."""
    body = page(f"{HEADER}<main>{TEASER}{article()}<section id='comments' class='comments-area'>"
                f"<h2>48 comments</h2><ol class='comment-list'>{comments(48)}</ol></section></main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "Comment 30" not in text


def test_content_holding_top_rated_comments_and_headlines_falls_back(pm) -> None:
    """``#content`` with top rated comments, a buyer's guide and related headlines gives the article."""
    guide = "".join(f"<li><a href='/g/{i}'>Best e-bike of 2026 number {i} for commuting</a> "
                    f"<span class='price'>{999 + i} EUR</span></li>" for i in range(15))
    heads = "".join(f"<li><a href='/h/{i}'>Headline {i}: neighbouring town opens a new "
                    f"swimming pool</a></li>" for i in range(20))
    body = page(f"{HEADER}<div id='content'>{TEASER}{article()}"
                f"<div class='top-comments'><h3>Top rated comments</h3><ul>{comments(25)}</ul></div>"
                f"<div class='buyers-guide'><h3>Buyer's guide</h3><ul>{guide}</ul></div>"
                f"<div class='more-headlines'><h3>More headlines</h3><ul>{heads}</ul></div></div>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "Comment 20" not in text
    assert "Headline 12" not in text


def test_thread_under_an_article_that_agrees_with_the_estimate_is_left_out(pm) -> None:
    """A landmark whose comment thread is a third of its text (too little for the landmark to
    be given up) keeps the article and loses the comments trafilatura leaves out."""
    body = page(f"{HEADER}<main>{TEASER}{article(14)}<section id='comments' class='comments-area'>"
                f"<h2>10 comments</h2><ol class='comment-list'>{comments(10)}</ol></section></main>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text and text.count("The municipal council met") == 14
    assert "Comment 3" not in text and "every year the same story" not in text
    from plugins.html_text import extraction_path
    assert extraction_path(SOURCE, SOURCE.url, body, "text/html") == \
        "landmark <main> (comment blocks left out against trafilatura)"


def test_site_builder_calling_every_block_a_widget_keeps_the_page(pm) -> None:
    """A page builder that wraps every block in a ``widget`` class (HubSpot), most blocks
    lists and cards rather than paragraphs: the word says nothing, the page's text stays.
    Its one link list marked ``widget`` too (a menu) still goes."""
    def block(kind: str, inner: str) -> str:
        return (f"<div class='span12 widget-span widget-type-custom_widget dnd-module'>"
                f"<div class='hs_cos_wrapper hs_cos_wrapper_widget hs_cos_wrapper_type_module'>"
                f"<section class='{kind}'>{inner}</section></div></div>")
    cards = "".join(f"<li><h3>Step {i}: exchange of civil servants with Kindia</h3><div>The two town "
                    f"halls send two civil servants each for a month, to learn how the other runs "
                    f"its registry office, waste collection and water supply (round {i}).</div></li>"
                    for i in range(8))
    menu = "".join(f"<a href='/m/{i}'>Menu entry {i}</a>" for i in range(10))
    body = page(f"<main>{block('hero', '<h1>Twinning with Kindia</h1>')}"
                f"{block('intro', '<p>Our town and Kindia have been partners since 1986.</p>')}"
                f"{block('cards', f'<ul>{cards}</ul>')}"
                f"{block('facts', '<div>Budget 2026: 45,000 euros, shared by both towns.</div>')}"
                f"<div class='widget widget-menu'>{menu}</div></main>")
    text = extract(body, pm)
    assert "Step 7: exchange of civil servants" in text and "round 7" in text
    assert "Budget 2026: 45,000 euros" in text
    assert "Menu entry 4" not in text


def test_comment_furniture_in_the_landmark_is_left_out(pm) -> None:
    """Without a thread, the comment blocks of a landmark ("Leave a reply", the count) go."""
    body = page(f"<main>{TEASER}{article()}<div class='comments-link'><a href='#respond'>No "
                f"comments yet</a></div><div id='respond' class='comment-respond'><h3 "
                f"id='reply-title'>Leave a reply to the twinning team</h3><p class='must-log-in'>You "
                f"must be logged in to post a comment.</p></div></main>")
    text = extract(body, pm)
    assert text.endswith("ARTICLE-END.")
    assert "No comments yet" not in text and "Leave a reply" not in text and "logged in" not in text


def test_commentary_is_not_a_comment_block(pm) -> None:
    """An element whose class only contains ``comment`` in a longer word (``commentary``) stays."""
    body = page(f"<main>{TEASER}{article()}<div class='mayor-commentary'><p>The mayor adds: this "
                f"agreement is the fruit of forty years of friendship between our schools.</p></div></main>")
    text = extract(body, pm)
    assert "forty years of friendship" in text


def test_plain_landmark_page_is_unchanged(pm) -> None:
    """An ordinary landmark page still gives its whole main text, title first."""
    body = page(f"{HEADER}<main>{TEASER}{article()}</main><footer>Town hall</footer>")
    text = extract(body, pm)
    assert text.startswith("Twinning with Kindia renewed\nBy the communication service")
    assert text.endswith("ARTICLE-END.")


# --------------------------------------------------------------------------- teaser lists


PARTNERS = ("Wittlich (Deutschland)", "Kaniv (Ukraine)", "Bohicon (Benin)", "Fidenza (Italia)",
            "Tonbridge (United Kingdom)", "Ouidah (Benin)", "Sainte-Foy (Canada)", "Kindia (Guinea)")


def teasers(n: int, word: str = "Headline") -> str:
    """``n`` teaser cards, each a link holding a headline and a one-line summary, then a
    date. The callers put them in a ``*-stories`` block: trafilatura leaves it out (its
    related-stories rule), the class words of ``plugins.html_text`` do not name it."""
    return "".join(
        f"<li><a href='/news/{i}'><h3>{word} {i}: the neighbouring town opens a new swimming "
        f"pool for the summer</h3><p>Summary {i}: the pool opens in June after two years of "
        f"works and a long debate in the council.</p></a><time>12/03/2026</time></li>"
        for i in range(n))


def test_heading_of_a_teaser_list_goes_with_it(pm) -> None:
    """The heading above a teaser list below the article ("More on this story") is cut with the list."""
    body = page(f"{HEADER}<main>{TEASER}{article()}<div class='more-stories'><h2>More on this "
                f"story</h2><ul>{teasers(4)}</ul></div></main>")
    text = extract(body, pm)
    assert text.endswith("ARTICLE-END.")
    assert "More on this story" not in text and "Headline 1" not in text


def test_partner_town_links_before_related_news_are_kept(pm) -> None:
    """A list of partner towns inside ``<main>``, each a link, stays whole; the teaser list
    of news below it (headlines that are links, dates, summaries) goes."""
    towns = "".join(f"<li><a href='/twinning/{i}'>{t}</a></li>" for i, t in enumerate(PARTNERS))
    body = page(f"{HEADER}<main><h1>Our twin towns</h1><p>The municipality keeps ties of friendship "
                f"with eight towns in Europe, Africa and Canada. The twinning committee organises "
                f"school, sports and cultural exchanges with them every year.</p>{article(4)}<ul>{towns}</ul>"
                f"<div class='more-stories'><h2>News</h2><ul>{teasers(5)}</ul></div></main>"
                f"<footer>Town hall</footer>")
    text = extract(body, pm)
    for town in PARTNERS:
        assert town in text.split("\n")
    assert "Headline 0" not in text and "Summary 3" not in text


def test_teaser_lists_around_the_article_are_cut(pm) -> None:
    """Teaser lists above and below the article inside the landmark go; the article stays."""
    body = page(f"{HEADER}<main><ul class='top-stories'>{teasers(4, 'Top story')}</ul><article>"
                f"{TEASER}{article()}</article><section class='more-stories'><h2>More from the "
                f"town</h2><ul>{teasers(6)}</ul></section></main>")
    text = extract(body, pm)
    assert "Twinning with Kindia renewed\nBy the communication service" in text
    assert "ARTICLE-END." in text
    assert "Top story" not in text and "Headline" not in text and "Summary" not in text


def test_japanese_headline_teasers_after_the_article_are_cut(pm) -> None:
    """Words of a script written without spaces count by characters: a Japanese related-
    headlines list in the landmark is a teaser list (one token a headline by spaces), and
    goes; the article stays."""
    sentences = ("姉妹都市のキンディアとの協力協定が市議会で全会一致で承認されました。",
                 "両市の学校交流と水道整備の事業は来年の春から始まる予定です。",
                 "市長は来月、代表団とともにパートナー都市を訪問すると述べました。")
    paras = "".join(f"<p>{sentences[i % 3]}{sentences[(i + 1) % 3]}（第{i}報）</p>" for i in range(8))
    heads = "".join(f"<li><a href='/n/{i}'>隣町で新しい市民プールが開業 第{i}号の見出し記事をお届け"
                    f"します</a></li>" for i in range(12))
    body = page(f"{HEADER}<main><article><h1>キンディアとの姉妹都市協定を更新</h1>{paras}"
                f"<section><h2>関連記事</h2><ul>{heads}</ul></section></article></main>")
    text = extract(body, pm)
    assert "（第7報）" in text and "姉妹都市協定を更新" in text
    assert "見出し記事" not in text


def test_document_links_after_the_article_are_kept(pm) -> None:
    """Long links to documents below the article (council decisions as PDF) are content,
    not teasers, whatever trafilatura thinks of them; the teasers after them still go."""
    docs = "".join(f"<li><a href='/docs/decision-{i}.pdf?v=2'>Decision of the municipal council of "
                   f"{i + 1} March 2026 on the twinning (PDF, 200 KB)</a></li>" for i in range(6))
    body = page(f"{HEADER}<main>{TEASER}{article()}<div class='downloads'><h2>Documents</h2><ul>"
                f"{docs}</ul></div><div class='more-stories'><ul>{teasers(4)}</ul></div></main>")
    text = extract(body, pm)
    assert all(f"council of {i + 1} March 2026" in text for i in range(6))
    assert "Headline" not in text and "ARTICLE-END" in text


def test_headline_above_a_byline_link_is_kept(pm) -> None:
    """One link line above the article (a byline) is not a teaser list: what is above it stays."""
    body = page(f"{HEADER}<main><h1>Twinning with Kindia renewed</h1><p><a href='/authors/7'>"
                f"Anna Peeters | Communication service of the town</a></p>{article()}"
                f"<section class='more-stories'><ul>{teasers(3)}</ul></section></main>")
    text = extract(body, pm)
    assert text.startswith("Twinning with Kindia renewed\nAnna Peeters")
    assert text.endswith("ARTICLE-END.")


def test_news_list_page_keeps_every_item(pm) -> None:
    """A page that is a list of news cards (each a link holding headline and summary)
    keeps every headline, the first one included."""
    cards = "".join(f"<div class='card'><a href='/news/{i}'><h3>Headline {i}: the twinning "
                    f"committee visits the partner town</h3><p>Summary {i}: a delegation of twenty "
                    f"people leaves on Friday.</p></a><span>1{i}/03/2026</span></div>" for i in range(10))
    text = extract(page(f"{HEADER}<main><h1>News</h1>{cards}</main><footer>Town hall</footer>"), pm)
    assert all(f"Headline {i}:" in text and f"Summary {i}:" in text for i in range(10))


def test_front_page_of_full_posts_is_kept(pm) -> None:
    """A blog's front page holding several whole posts (a title link, then paragraphs) is
    watched whole, not cut after the first post."""
    posts = "".join(
        f"<div class='post'><h2><a href='/post/{k}'>Post {k}: news from the twinning committee "
        f"this month</a></h2>{article(4).replace('ARTICLE-END', f'POST-{k}-END')}</div>"
        for k in range(3))
    text = extract(page(f"{HEADER}<main>{posts}</main>"), pm)
    assert all(f"POST-{k}-END" in text for k in range(3))


LEAD = ("Ten years after the first visit, the council renewed the twinning agreement with Kindia "
        "and doubled the budget for school exchanges, drinking water and training.")


def test_lead_beside_the_headline_is_kept_without_a_landmark(pm) -> None:
    """On a page without a landmark, the lead set apart from the article body, beside the
    headline (which trafilatura leaves out), is watched; the date line and caption are not."""
    body = page(f"{HEADER}<div class='wrap'><section class='intro'><div><a href='/news'>News</a>"
                f"<h1>Twinning with Kindia renewed</h1><p><span>3 March 2026</span> <span>in Example "
                f"Town</span></p><h2 class='teaser'></h2><p>{LEAD}</p></div><p class='text-center'>"
                f"<small>The delegation in Kindia. (Photo: Example Town)</small></p></section>"
                f"<section><div class='body' itemprop='articleBody'>{article()}</div></section></div>")
    text = extract(body, pm)
    assert text.startswith(LEAD + "\nThe municipal council met on Tuesday")
    assert text.endswith("ARTICLE-END.")
    assert "3 March 2026" not in text and "(Photo: Example Town)" not in text


# --------------------------------------------------------------------------- consent banners


BANNERS = {
    "cookiebot": "<div id='CybotCookiebotDialog' role='dialog'>{}</div>",
    "onetrust-banner": "<div id='onetrust-banner-sdk' class='otFlat'>{}</div>",
    "onetrust-consent": "<div id='onetrust-consent-sdk'><div class='ot-sdk-container'>{}</div></div>",
    "didomi": "<div id='didomi-host'><div class='didomi-popup'>{}</div></div>",
    "usercentrics": "<div id='usercentrics-root'><div>{}</div></div>",
    "quantcast": "<div class='qc-cmp2-container' id='qc-cmp2-container'><div>{}</div></div>",
    "klaro": "<div class='klaro'><div class='cookie-modal'>{}</div></div>",
    "tarteaucitron": "<div id='tarteaucitronRoot'><div id='tarteaucitronAlertBig'>{}</div></div>",
    "complianz": "<div class='cmplz-cookiebanner cmplz-show'>{}</div>",
}
BANNER_TEXT = ("<h2>We value your privacy</h2><p>We and our 842 partners store and access "
               "information on your device to measure audiences, show personalised ads and "
               "content, and develop our services. You may accept, refuse or choose what you "
               "consent to at any time via the settings link at the bottom of every page.</p>"
               "<a href='#'>Accept all</a> <a href='#'>Settings</a>")


@pytest.mark.parametrize("platform", sorted(BANNERS))
def test_consent_banner_without_landmark_is_removed(pm, platform: str) -> None:
    """Each common consent platform's banner stays out of a page without landmarks."""
    banner = BANNERS[platform].format(BANNER_TEXT)
    body = page(f"{banner}<div class='wrapper'><div class='page'>{TEASER}{article()}</div></div>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "842 partners" not in text and "privacy" not in text


@pytest.mark.parametrize("platform", ["cookiebot", "didomi"])
def test_consent_banner_inside_landmark_is_removed(pm, platform: str) -> None:
    """A consent banner rendered inside the landmark is left out on the fast path too."""
    banner = BANNERS[platform].format(BANNER_TEXT)
    body = page(f"<div id='content'>{banner}{TEASER}{article()}</div>")
    text = extract(body, pm)
    assert "ARTICLE-END" in text
    assert "842 partners" not in text


# --------------------------------------------------------------------------- glued inline text


def test_adjacent_links_are_not_glued_on_the_landmark_path(pm) -> None:
    """Links and link labels without whitespace between them come out as separate words."""
    body = page(f"<main>{TEASER}{article()}<p class='topics'>Topics: <a href='/t/re'>Real Estate"
                f"</a><a href='/t/6s'>My6sense</a></p><p><a href='/prev'><span class='arrow'>Prev"
                f"</span><span class='label'>Previous</span></a></p></main>")
    text = extract(body, pm)
    assert "Real Estate My6sense" in text
    assert "Prev Previous" in text
    assert "EstateMy6sense" not in text and "PrevPrevious" not in text


def test_adjacent_links_are_not_glued_on_the_trafilatura_path(pm) -> None:
    """Without a landmark, glued links in the text still come out as separate words."""
    body = page(f"<div class='page'>{TEASER}{article()}<p>Filed under: <a href='/t/re'>Real "
                f"Estate</a><a href='/t/6s'>My6sense</a><a href='/t/tw'>Twinning</a> and more "
                f"news about the partner towns of the municipality.</p></div>")
    text = extract(body, pm)
    assert "Real Estate My6sense Twinning" in text


def test_inline_markup_inside_words_is_not_split(pm) -> None:
    """Inline markup inside a word or a sentence is not given extra spaces; ``<br>`` breaks."""
    body = page(f"<main>{TEASER}{article()}<p><b>Ams</b>terdam and <span>twin</span><span>ning"
                f"</span>, <em>Dakar</em>.<br>Second line</p></main>")
    text = extract(body, pm)
    assert "Amsterdam and twinning, Dakar.\nSecond line" in text


# --------------------------------------------------------------------------- bad input

TIME_BOUND_S = 15.0
"""Wall seconds one hostile page may take, parse and extraction (about 10x the measured
worst case, for slow CI machines running tests in parallel)."""
MEMORY_BOUND_MB = 700
"""Peak RSS of a fresh process extracting one hostile page (imports alone take about 100 MB;
the 5 MB paragraph measures about 250 MB)."""

_RUNNER = textwrap.dedent("""
    import json, resource, sys, time
    from monitor.errors import ExtractError
    from monitor.ingest.kinds import html_page_text
    from monitor.models import FetchResult, Source
    from monitor.plugin_manager import make_plugin_manager
    pm = make_plugin_manager(distribution="twinwatch")
    body = open(sys.argv[1], "rb").read()
    result = FetchResult(source_id=1, url="https://x.example/", status=200,
                         headers={"content-type": "text/html; charset=utf-8"}, body=body)
    t0 = time.perf_counter()
    try:
        out = {"text": html_page_text(pm, Source(id=1, url="https://x.example/"), result).text}
    except ExtractError as exc:
        out = {"error": str(exc)}
    out["seconds"] = time.perf_counter() - t0
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
""")

_LINE = "Le conseil communal a approuvé le jumelage avec la ville partenaire de Kindia. "
HOSTILE = {
    "nested-50000": ("<html><body><p>Before the deep part.</p>" + "<div>" * 50_000 + "deep "
                     + "</div>" * 50_000 + "</body></html>"),
    "nested-600": ("<html><body><p>Before the deep part.</p>" + "<div>" * 600
                   + "<p>The council approved the twinning with Kindia.</p>" + "</div>" * 600
                   + "<p>After the deep part.</p></body></html>"),
    "one-5mb-paragraph": "<html><body><p>" + _LINE * (5_000_000 // len(_LINE)) + "</p></body></html>",
    "noscript-only": ("<html><body><script>document.write('x')</script><noscript><p>"
                      + _LINE * 5 + "</p></noscript></body></html>"),
    "all-links": "<html><body>" + "".join(f"<a href='/p{i}'>Page {i}</a>" for i in range(5000))
                 + "</body></html>",
    "teaser-landmark": ("<html><body><main>" + "".join(
        f"<p><a href='/n/{i}'>Headline {i} of the town news</a></p><p>The council met on day {i}.</p>"
        for i in range(4_500)) + "</main></body></html>"),
    "two-scripts": ("<html><body><main><p>" + ("Совет муниципалитета утвердил соглашение о "
                    "побратимстве. " + _LINE) * 20 + "</p></main></body></html>"),
    "frameset": ("<html><head><title>Gemeente</title></head><frameset cols='20%,80%'>"
                 "<frame src='/menu.html'><frame src='/home.html'></frameset></html>"),
    "iframe-only": "<html><body><iframe src='/embedded.html'></iframe></body></html>",
}


def run_hostile(tmp_path: Path, name: str) -> dict:
    path = tmp_path / f"{name}.html"
    path.write_bytes(HOSTILE[name].encode())
    done = subprocess.run([sys.executable, "-c", _RUNNER, str(path)], capture_output=True,
                          text=True, timeout=120, start_new_session=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_page_is_bounded(tmp_path: Path, name: str) -> None:
    """A hostile page gives readable text or an ExtractError within the time and memory bounds."""
    out = run_hostile(tmp_path, name)
    assert out["seconds"] < TIME_BOUND_S, out["seconds"]
    assert out["rss_mb"] < MEMORY_BOUND_MB, out["rss_mb"]
    if "text" in out:
        assert out["text"].strip()
        assert "\ufffd" not in out["text"]
    else:
        assert out["error"]


def read_hostile(pm, name: str) -> dict:
    """What ``html_page_text`` gives for a hostile page, in this process (the bounds
    need a process of their own: :func:`run_hostile`; the text does not)."""
    result = FetchResult(source_id=1, url="https://x.example/", status=200,
                         headers={"content-type": "text/html; charset=utf-8"},
                         body=HOSTILE[name].encode())
    try:
        return {"text": html_page_text(pm, Source(id=1, url="https://x.example/"), result).text}
    except ExtractError as exc:
        return {"error": str(exc)}


def test_hostile_page_texts(pm) -> None:
    """What the hostile pages give: the words they hold, separated, or a clear error."""
    assert "побратимстве. Le conseil" in read_hostile(pm, "two-scripts")["text"]
    assert "Kindia" in read_hostile(pm, "noscript-only")["text"]
    links = read_hostile(pm, "all-links")
    assert "Page 1Page" not in links.get("text", "")
    frames = read_hostile(pm, "frameset")
    assert "frame" in frames["error"] and "/home.html" in frames["error"]
    # Deeper than libxml2 reads (2,048 levels even with huge_tree): a parse-error that
    # says so, never the cut text watched as if it were the page.
    assert "2,048 deep" in read_hostile(pm, "nested-50000")["error"]
    # A few hundred unclosed <div>s (real pages have them) are read whole: without
    # huge_tree libxml2 stopped at 256 levels and silently lost the rest of the page.
    deep = read_hostile(pm, "nested-600")["text"]
    assert "twinning with Kindia" in deep and "After the deep part." in deep

