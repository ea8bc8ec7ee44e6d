"""The bulletin press: Markdown articles to signed, reproducible Persian PDFs, page
images for messengers, and the checks that tell a genuine issue from a forgery.

    issue.parse_issue ─▶ press.render(issue, layout, claim) ─▶ signing.sign(pdf, key, at)
                                                              └▶ signing.verify(pdf, trusted)

I/O: WeasyPrint reads the vendored fonts, `pages` runs pdftoppm; nothing is fetched and
nothing is written to disk (the faces write the result where the person asks).
See docs/bulletins.md.
"""
