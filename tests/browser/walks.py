"""Issue 15 "Done when": a person walks the platform by clicking only and reads no English on the way.

`Walk` wraps a Playwright page. Every step is a click (or a form filled then submitted by a click); after each one
the page's words are read as a person sees them — the visible text (`document.body.innerText`), the browser tab's
`<title>`, every `title` tooltip, the `placeholder` of fields and the caption (`value`) of buttons — and every Latin
word of two letters or more that is not in WHITELIST is noted with the page's address. `walk.done()` fails the test
listing each page and its words, so one run shows everything a walk found.

The only typed address is where a person starts: the login page (and the portal's home for the public).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import PASSWORD

# Latin words a Chinese official does read on these pages, each for a reason. Keep it short: anything else is a label
# missing in shuangsuiji/labels.py or a template's English.
WHITELIST = {
    # File formats the official downloads or uploads by name (登记表 PDF, 导出 Excel/CSV, the public JSON files).
    "PDF": "file format",
    "Excel": "product name (导入/导出)",
    "WPS": "product name (导入模板可用 WPS 表格打开)",
    "xlsx": "file extension",
    "csv": "file extension",
    "CSV": "file format",
    "json": "file extension",
    "JSON": "file format",
    "py": "file extension of the verifier program (verify_draw.py)",
    # The hash and the draw procedure's published name, printed on every commitment (specs/draw-v1.md).
    "SHA": "SHA-256, the published hash",
    "DRAW": "DRAW-v1, the draw procedure's published name",
    # Product names on the verifier page, written for the technician who runs the program.
    "Python": "product name: the interpreter that runs verify_draw.py",
    "pip": "product name: Python's installer",
    "cryptography": "product name: the package the installable verifier needs for SM3",
    "Django": "product name: what the installable verifier does not need",
    "Windows": "product name (operating system)",
    "Linux": "product name (operating system)",
    "whl": "file extension of the installable verifier",
    "SM": "SM3, the national hash standard offered on the freeze form",
    "GB": "GB/T, the prefix of a national standard's number",
    "RFC": "RFC 3797, the published standard whose lottery-number form the draw follows",
    "JPEG": "file format (photos attached to a record)",
    "PNG": "file format (photos attached to a record)",
    "MB": "unit of a file's size",
    "IP": "IP 地址, the usual Chinese term on the security and audit pages",
}
# File names shown as such (a download link's text): their words are names, not English.
FILE_NAME = re.compile(r"[A-Za-z0-9_./-]+\.(?:csv|json|py|xlsx|pdf|txt|md|sha256|zip|whl)\b", re.I)
# Identifiers, not words: hashes, seeds and verification codes (letters and digits mixed, 8 or more, or in groups
# of 4–5 such as the fingerprint "9BD1 D434 93F0" and the 核验码 "3Z5TT-NHFME"), the codes a department gives its
# check items (事项编码 such as SCJG-001, the import template's example), and web addresses printed for a person to
# type (the register's "http://…/portal/verify/").
CODE = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{8,}(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])(?=[A-Z0-9 -]*\d)[A-Z0-9]{4,5}(?:[ -][A-Z0-9]{4,5})+(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])[A-Z0-9]{5}(?:-[A-Z0-9]{5})+(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])[A-Z]{2,}-\d+(?![A-Za-z0-9])"
    r"|https?://\S+"
)
WORD = re.compile(r"[A-Za-z]{2,}")

# Text in <code>, <pre>, <kbd> and the monospaced cells (.mono) is what a person copies or types into a computer
# verbatim — a command, a hash, a department's code on the reference page for import files: it is read as a name, not
# as prose. It is hidden (visibility, so nothing moves) while the text is read: innerText skips it. Tooltips are read on what a person acts on (links, buttons, fields); a <span>'s tooltip naming the code a
# file uses for a label ("文件中的名称：lottery") explains the file, it does not replace the label.
READ_PAGE = """() => {
  const hide = document.createElement("style");
  hide.textContent = "code, pre, kbd, .mono { visibility: hidden !important; }";
  document.head.appendChild(hide);
  const text = document.body ? document.body.innerText : "";
  hide.remove();
  const seen = [document.title, text];
  for (const el of document.querySelectorAll("a[title], button[title], input[title], select[title]")) {
    seen.push(el.getAttribute("title"));
  }
  for (const el of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    if (el.offsetParent !== null) seen.push(el.getAttribute("placeholder"));
  }
  for (const el of document.querySelectorAll("input[type=submit], input[type=button]")) {
    if (el.offsetParent !== null) seen.push(el.value);
  }
  return seen.join("\\n");
}"""


def english_words(text: str) -> list[str]:
    """The Latin words of `text` a person would read as English, in order, once each."""
    return list(english_in_context(text))


def english_in_context(text: str) -> dict[str, str]:
    """Each English word of `text` with the line it first appears on (shortened), to find it in a template."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        for word in WORD.findall(CODE.sub(" ", FILE_NAME.sub(" ", line))):
            if word not in WHITELIST and word not in found:
                found[word] = line.strip()[:90]
    return found


@dataclass
class Walk:
    page: object
    base: str
    # Names the walk's own data brings (login names such as "sergei" in the accounts table): names, not English.
    names: set[str] = field(default_factory=set)
    found: dict[str, dict[str, str]] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)

    # --- moving -------------------------------------------------------------------------------------------------

    def start(self, path: str) -> None:
        """The one typed address of a walk."""
        self.page.goto(self.base + path)
        self.read()

    def sign_in(self, username: str, *, totp_secret: str | None = None) -> None:
        self.start("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.click(
            "form:has(#id_password) button[type=submit]", expect=r"/login/totp/" if totp_secret else r"/$"
        )
        if totp_secret:
            from shuangsuiji.codes.totp import totp

            self.page.fill("input[name=code]", totp(totp_secret))
            self.click("form:has(#id_code) button[type=submit]", expect=r"/$")
        assert self.page.url == self.base + "/", self.page.inner_text("body")[:300]

    def click(self, selector: str, *, expect: str | None = None) -> None:
        """Click, wait for the page the click leads to (a regex on its address when given), read it."""
        if expect:
            with self.page.expect_navigation(url=re.compile(expect)):
                self.page.click(selector)
        else:
            self.page.click(selector)
        self.page.wait_for_load_state()
        self.read()

    def link(self, text: str, *, expect: str | None = None) -> None:
        """Follow the first visible link or button whose text contains `text`."""
        self.click(f":is(a, button):visible:has-text('{text}') >> nth=0", expect=expect)

    # --- reading ------------------------------------------------------------------------------------------------

    def read(self) -> None:
        url = self.page.url.removeprefix(self.base)
        self.visited.append(url)
        for word, line in english_in_context(self.page.evaluate(READ_PAGE)).items():
            if word not in self.names:
                self.found.setdefault(url, {}).setdefault(word, line)

    def text(self, selector: str = "main") -> str:
        return self.page.inner_text(selector)

    def screenshot(self, name: str, *, top: str | None = None) -> None:
        """Viewport-only PNG into $SSJ_SCREENSHOTS (docs/screenshots/issue15-walks/), only when it is set; `top`
        scrolls that element to the top of the window first."""
        if folder := os.environ.get("SSJ_SCREENSHOTS"):
            Path(folder).mkdir(parents=True, exist_ok=True)
            if top:
                self.page.locator(top).first.evaluate("el => el.scrollIntoView()")
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"))

    def done(self) -> None:
        assert self.found == {}, "页面上出现了英文（地址：单词 —— 所在行）：\n" + "\n".join(
            f"{url}: {word} —— {line}" for url, words in self.found.items() for word, line in words.items()
        )
