"""Reads what clinic-cms syndicates with the tools its consumers use.

    python check.py BASE_URL     (ADMIN_EMAIL and ADMIN_PASSWORD set)

- the Atom feed parses with feedparser, without a complaint, as Atom 1.0,
  every entry with an absolute link, a title, an id and a date;
- the JSON Feed parses with jsonfeed-util (a JSON Feed 1.1 reader; the
  released feedparser reads no JSON) and has what version 1.1 requires:
  its version URL, a title, items each with a string id, content, an
  absolute url and RFC 3339 dates;
- the sitemap (an index when the server splits it) and every file it names
  are valid against the sitemap protocol's schemas (xmlschema), without
  tag pages and with them (the site's `tag_path` set; links to the front
  end's `base_url`);
- a real webhook delivery, to a receiver started here on loopback,
  verifies with the `standardwebhooks` library, and fails with one byte
  changed. The server must allow loopback over plain HTTP
  (WEBHOOK_ALLOW_PRIVATE, WEBHOOK_ALLOW_HTTP).

Exits non-zero at the first failure.
"""

import datetime
import http.server
import json
import os
import pathlib
import queue
import sys
import threading
import urllib.request

import feedparser
import jsonfeed
import standardwebhooks
import xmlschema

HERE = pathlib.Path(__file__).parent
BASE = sys.argv[1].rstrip("/")
ADMIN = {"email": os.environ["ADMIN_EMAIL"], "password": os.environ["ADMIN_PASSWORD"]}


def fetch(path, method="GET", body=None, token=None, headers=None):
    request = urllib.request.Request(BASE + path, method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


def check_feed(path, version):
    status, headers, body = fetch(path)
    assert status == 200, (path, status)
    feed = feedparser.parse(body, response_headers={"content-type": headers["Content-Type"]})
    assert not feed.bozo, (path, feed.bozo_exception)
    assert feed.version == version, (path, feed.version)
    assert feed.entries, f"{path}: no entries"
    for entry in feed.entries:
        for field in ("title", "id", "link"):
            assert entry.get(field), (path, field, entry)
        assert entry.link.startswith(("http://", "https://")), (path, entry.link)
        assert entry.get("published") or entry.get("updated"), (path, entry)
    print(f"{path}: {feed.version}, {len(feed.entries)} entries, read without a complaint")


def check_json_feed(path):
    status, headers, body = fetch(path)
    assert status == 200, (path, status)
    assert headers["Content-Type"] == "application/feed+json", headers["Content-Type"]
    feed = jsonfeed.Feed.parse_string(body.decode())
    raw = json.loads(body)
    assert raw["version"] == "https://jsonfeed.org/version/1.1", raw["version"]
    assert feed.title and feed.items, path
    assert feed.home_page_url.startswith(("http://", "https://")), feed.home_page_url
    assert feed.feed_url.startswith(("http://", "https://")), feed.feed_url
    for item, source in zip(feed.items, raw["items"]):
        assert isinstance(source["id"], str) and source["id"], source
        assert item.content_html or item.content_text, source["id"]
        assert item.url.startswith(("http://", "https://")), item.url
        for field in ("date_published", "date_modified"):
            if field in source:
                datetime.datetime.fromisoformat(source[field].replace("Z", "+00:00"))
        for author in source.get("authors", []):
            assert author.get("name") or author.get("url") or author.get("avatar"), author
    print(f"{path}: JSON Feed 1.1, {len(feed.items)} items, read without a complaint")


def check_sitemap():
    urlset = xmlschema.XMLSchema(str(HERE / "sitemap.xsd"))
    index = xmlschema.XMLSchema(str(HERE / "siteindex.xsd"))
    _, _, body = fetch("/api/v1/sitemap.xml")
    text = body.decode()
    if "<sitemapindex" in text:
        index.validate(text)
        files = [loc for loc in index.to_dict(text)["sitemap"]]
        assert files, "an empty sitemap index"
        for item in files:
            path = "/" + item["loc"].split("/", 3)[3]
            _, _, part = fetch(path)
            urlset.validate(part.decode())
        print(f"sitemap.xml: an index of {len(files)} files, each valid")
    else:
        urlset.validate(text)
        print("sitemap.xml: valid")


class Receiver(http.server.BaseHTTPRequestHandler):
    got = queue.Queue()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.got.put(({k.lower(): v for k, v in self.headers.items()}, body.decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def login():
    _, _, body = fetch("/api/v1/auth/login", "POST", ADMIN)
    return json.loads(body)["data"]["access_token"]


def show_tag_pages(token):
    _, headers, _ = fetch("/api/v1/admin/site", token=token)
    change = {"base_url": "https://clinic.example", "tag_path": "/topics/{slug}"}
    fetch("/api/v1/admin/site", "PATCH", change, token, {"If-Match": headers["ETag"]})


def check_webhook(token):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    _, _, body = fetch("/api/v1/admin/webhooks", "POST", {"url": url, "events": ["*"]}, token)
    endpoint = json.loads(body)["data"]
    try:
        fetch(f"/api/v1/admin/webhooks/{endpoint['id']}/ping", "POST", {}, token)
        headers, payload = Receiver.got.get(timeout=30)
        verifier = standardwebhooks.Webhook(endpoint["secret"])
        event = verifier.verify(payload, headers)
        assert event["type"] == "ping", event
        tampered = payload.replace('"ping"', '"pong"', 1)
        assert tampered != payload
        try:
            verifier.verify(tampered, headers)
        except standardwebhooks.WebhookVerificationError:
            pass
        else:
            raise AssertionError("a changed byte still verified")
        print("webhook: a real delivery verifies with standardwebhooks; a changed byte does not")
    finally:
        _, headers, _ = fetch(f"/api/v1/admin/webhooks/{endpoint['id']}", token=token)
        fetch(
            f"/api/v1/admin/webhooks/{endpoint['id']}",
            "DELETE",
            token=token,
            headers={"If-Match": headers["ETag"]},
        )
        server.shutdown()


TOKEN = login()
check_feed("/api/v1/feed.atom", "atom10")
check_json_feed("/api/v1/feed.json")
check_sitemap()
show_tag_pages(TOKEN)
check_sitemap()
check_feed("/api/v1/feed.atom", "atom10")
check_webhook(TOKEN)
