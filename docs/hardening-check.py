#!/usr/bin/env python3
"""The hostile review's reproductions against a built bulletin binary, on loopback only.

Usage: go build -o /tmp/bulletin ./cmd/bulletin && python3 docs/hardening-check.py /tmp/bulletin "$(mktemp -d)" 18471
Each line says PASS when Bulletin came out safe. It starts serve, a feed server and its
clients on 127.0.0.1 only, and stops them at the end."""
import http.client, http.cookiejar, json, os, re, socket, subprocess, sys, threading, time, urllib.parse, urllib.request, glob, email, email.policy
from http.server import BaseHTTPRequestHandler, HTTPServer

BIN, DATA, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
BASE = f"http://127.0.0.1:{PORT}"
ENV = dict(os.environ, BULLETIN_DATA=DATA, BULLETIN_ADDR=f"127.0.0.1:{PORT}", BULLETIN_ALLOW_PRIVATE_FEEDS="1", BULLETIN_SIGNUP_RATE="0")
ok = True
def check(name, cond, detail=""):
    global ok
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else "  -- " + str(detail)[:400]))
    ok = ok and cond
def run(*args, stdin=None):
    return subprocess.run([BIN, *args], env=ENV, input=stdin, capture_output=True, text=True)

run("seed")
run("admin", "create", "ed@example.com", stdin="first passphrase here\n")
token = run("token", "create", "repro").stdout.strip().split()[-1]
srv = subprocess.Popen([BIN, "serve"], env=ENV, stdout=open(DATA + "/serve.log", "w"), stderr=subprocess.STDOUT)
for _ in range(100):
    try:
        urllib.request.urlopen(BASE + "/healthz"); break
    except Exception: time.sleep(0.1)

def api(method, path, body=None):
    req = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r: return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e: return e.code, json.loads(e.read() or b"null")

try:
    # 1. A feed whose item link carries the marker strings.
    feed = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://x</link><description>d</description>
<item><title>Win BLTNzNAMEzq7</title><link>https://feed-owner.example/c?e=BLTNzMAILzq7&amp;u=BLTNzUNSBzq7&amp;p=BLTNzPREFzq7</link>
<description>Claim BLTNzMAILzq7 BLTNzUNSBzq7</description><pubDate>%s</pubDate><guid>g1</guid></item></channel></rss>""" % time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.send_header("Content-Type", "application/rss+xml"); self.end_headers(); self.wfile.write(feed.encode())
        def log_message(self, *a): pass
    fs = HTTPServer(("127.0.0.1", 0), H); threading.Thread(target=fs.serve_forever, daemon=True).start()
    st, body = api("POST", "/api/v1/feeds", {"url": f"http://127.0.0.1:{fs.server_port}/feed.xml", "list": "daily-news"})
    check("feed added", st in (200, 201), (st, body))
    for _ in range(100):
        st, arts = api("GET", "/api/v1/articles")
        if any("feed-owner" in a.get("url", "") for a in arts.get("items", [])): break
        time.sleep(0.2)
    before = set(glob.glob(DATA + "/outbox/*.eml"))
    st, body = api("POST", "/api/v1/digests/run", {"list": "daily-news"})
    check("digest run", st in (200, 201, 202), (st, body))
    time.sleep(3)
    mails = [m for m in set(glob.glob(DATA + "/outbox/*.eml")) - before]
    leaks, n = [], 0
    for m in mails:
        msg = email.message_from_bytes(open(m, "rb").read(), policy=email.policy.default)
        to = msg["To"].addresses[0].addr_spec
        for part in msg.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                for line in part.get_content().splitlines():
                    if "feed-owner.example" in line:
                        n += 1
                        if to in line or re.search(r"u=[A-Za-z0-9_-]{30,}", line) or "BLTNzMAILzq7" not in line: leaks.append(line)
    check(f"feed markers stay literal in {len(mails)} digest mails ({n} feed-owner lines)", mails and n and not leaks, leaks[:2])

    # 2. 60,000 made-up methods.
    c = http.client.HTTPConnection("127.0.0.1", PORT)
    for i in range(60000):
        c.putrequest(f"M{i:05d}X", "/x", skip_accept_encoding=True); c.putheader("Content-Length", "0"); c.endheaders()
        r = c.getresponse(); r.read()
        if r.getheader("Connection") == "close": c.close(); c = http.client.HTTPConnection("127.0.0.1", PORT)
    met = urllib.request.urlopen(BASE + "/metrics").read().decode()
    methods = set(re.findall(r'method="([^"]+)"', met))
    check(f"60,000 methods: /metrics {len(met)//1024} KiB, {len(methods)} method labels {sorted(methods)[:5]}", len(met) < 200_000 and len(methods) <= 10, len(methods))
    rss = int(open(f"/proc/{srv.pid}/status").read().split("VmRSS:")[1].split()[0]) // 1024
    print(f"     serve RSS after: {rss} MB")

    # 3. Eleven passwords from one /64 (through X-Forwarded-For from loopback, as a local proxy sends it).
    def login(ip, password, jar=None):
        jar = jar or http.cookiejar.CookieJar()
        op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        page = op.open(urllib.request.Request(BASE + "/admin/login", headers={"X-Forwarded-For": ip})).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf": csrf, "email": "ed@example.com", "password": password}).encode()
        try:
            r = op.open(urllib.request.Request(BASE + "/admin/login", data=data, headers={"X-Forwarded-For": ip})); return r.status, jar
        except urllib.error.HTTPError as e: return e.code, jar
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k): return None
    codes = [login(f"2001:db8:1:2::{i+1:x}", "wrong password")[0] for i in range(10)]
    code11 = login("2001:db8:1:2::ff", "first passphrase here")[0]
    check(f"eleven passwords from one /64: {codes} then right one -> {code11}", code11 == 429, code11)

    # 4. A session cookie after `admin create`.
    code, jar = login("127.0.0.9", "first passphrase here")
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    def admin_status():
        try: return op.open(BASE + "/admin").status
        except urllib.error.HTTPError as e: return e.code
    before = admin_status()
    out = run("admin", "create", "ed@example.com", stdin="second passphrase here\n")
    after = admin_status()
    check(f"session after admin create: {before} -> {after}; said {out.stdout.strip()!r}", before == 200 and after == 303, (before, after, out.stderr))

    # 5. A signup naming a known nameless reader.
    st, sub = api("POST", "/api/v1/subscribers", {"email": "nameless@example.com", "status": "confirmed", "lists": ["daily-news"]})
    check("nameless reader added", st == 201, (st, sub))
    req = urllib.request.Request(BASE + "/api/v1/subscriptions", data=json.dumps({"email": "nameless@example.com", "name": "Attacker Text", "lists": ["daily-news", "weekend-culture"]}).encode(), headers={"Content-Type": "application/json"})
    st = urllib.request.urlopen(req).status
    st2, after = api("GET", f"/api/v1/subscribers/{sub['id']}")
    check(f"signup naming a known reader: {st}; name {after.get('name')!r}, lists {after.get('lists')}", after.get("name", "") == "" and after.get("lists") == ["daily-news"], after)

    # 6. The Kelvin-sign address.
    st, _ = api("POST", "/api/v1/subscribers", {"email": "kate@example.com", "status": "confirmed", "lists": ["daily-news"]})
    req = urllib.request.Request(BASE + "/api/v1/subscriptions", data=json.dumps({"email": "\u212aate@example.com", "lists": ["daily-news"]}).encode(), headers={"Content-Type": "application/json"})
    try: st, body = urllib.request.urlopen(req).status, ""
    except urllib.error.HTTPError as e: st, body = e.code, e.read().decode()
    check(f"Kelvin-sign address: {st} {body[:160]}", st == 422, st)
finally:
    srv.terminate(); srv.wait(15)
print("ALL PASS" if ok else "SOME FAILED")
sys.exit(0 if ok else 1)
