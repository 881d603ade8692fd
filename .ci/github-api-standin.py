#!/usr/bin/env python3
"""A stand-in for the GitHub REST contents API over HTTPS, for .ci/container-check.sh.

Holds one repository file. Implements what the evidence commit uses, as GitHub documents it
(https://docs.github.com/en/rest/repos/contents):

  GET /repos/{owner}/{repo}/contents/{path}[?ref=BRANCH]   the file (JSON with base64 content, or
                                                           raw bytes for the raw media type)
  PUT /repos/{owner}/{repo}/contents/{path}                a new version: {message, content, sha,
                                                           branch}; 409 when sha is not the blob's

and checks every request's headers the way GitHub asks clients to send them: `Authorization:
Bearer <token>` (or `token <token>`), `Accept: application/vnd.github+json` (or a `vnd.github.*`
variant), `X-GitHub-Api-Version: 2022-11-28` and a `User-Agent`. A request that breaks one of
these gets GitHub's error status for it. Everything else is 404.

Every request is appended to --log as one JSON line (method, path, status, header problems, the
branch of a PUT), and the document each accepted PUT writes is saved under --written-dir, so the
caller can check what landed. The listening port is written to --port-file once it serves.

Standard library only (ssl, http.server): it runs on a bare CI machine.
"""

import argparse
import base64
import hashlib
import json
import os
import ssl
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "2022-11-28"


def blob_sha(data: bytes) -> str:
    """The git blob id of `data`, as GitHub reports a file's `sha`."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Repository:
    """One file of one repository, its versions, and the log of requests."""

    def __init__(self, args):
        self.owner_repo = args.repository
        self.path = args.path
        with open(args.content, "rb") as f:
            self.content = f.read()
        self.token = args.token
        self.log_path = args.log
        self.written_dir = args.written_dir
        self.commits = 0
        self.lock = threading.Lock()

    def log(self, entry):
        with self.lock, open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "github-api-standin"
    repo: Repository = None  # set in main

    def log_message(self, format, *args):  # quiet: the JSON log says everything
        pass

    # --- helpers ------------------------------------------------------------------------------

    def reply(self, status, body, content_type="application/json; charset=utf-8"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Api-Version-Selected", API_VERSION)
        self.end_headers()
        self.wfile.write(data)
        return status

    def header_problems(self):
        """What GitHub would object to in this request's headers, as (status, message) pairs."""
        problems = []
        auth = self.headers.get("Authorization", "")
        token = self.repo.token
        if auth not in (f"Bearer {token}", f"token {token}"):
            shown = auth.split(" ")[0] if auth else "none"
            problems.append((401, f"Bad credentials (Authorization scheme: {shown})"))
        if not self.headers.get("User-Agent", "").strip():
            problems.append((403, "Request forbidden: a User-Agent header is required"))
        accept = self.headers.get("Accept", "")
        if not any(
            part.strip().split(";")[0].startswith("application/vnd.github")
            for part in accept.split(",")
        ):
            problems.append((415, f"Accept should be application/vnd.github+json, got {accept!r}"))
        version = self.headers.get("X-GitHub-Api-Version")
        if version != API_VERSION:
            problems.append((400, f"X-GitHub-Api-Version should be {API_VERSION}, got {version!r}"))
        return problems

    def target(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        wanted = f"/repos/{self.repo.owner_repo}/contents/{self.repo.path}"
        return urllib.parse.unquote(url.path) == wanted, url.path, query

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self, method):
        body = self.body()
        is_file, path, query = self.target()
        entry = {"method": method, "path": path, "query": query, "problems": []}
        problems = self.header_problems()
        if problems:
            entry["problems"] = [message for _, message in problems]
            status, message = problems[0]
            entry["status"] = self.reply(status, {"message": message, "status": str(status)})
        elif not is_file:
            entry["status"] = self.reply(404, {"message": "Not Found", "status": "404"})
        elif method == "GET":
            entry["status"] = self.get_file()
        elif method == "PUT":
            entry["status"] = self.put_file(body, entry)
        else:
            entry["status"] = self.reply(404, {"message": "Not Found", "status": "404"})
        self.repo.log(entry)

    def get_file(self):
        repo = self.repo
        with repo.lock:
            content = repo.content
        if "raw" in self.headers.get("Accept", ""):
            return self.reply(200, content, "application/vnd.github.raw+json")
        encoded = base64.b64encode(content).decode()
        wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
        return self.reply(
            200,
            {
                "type": "file",
                "encoding": "base64",
                "size": len(content),
                "name": repo.path.rsplit("/", 1)[-1],
                "path": repo.path,
                "content": wrapped,
                "sha": blob_sha(content),
            },
        )

    def put_file(self, body, entry):
        repo = self.repo
        try:
            request = json.loads(body)
            content = base64.b64decode(request["content"], validate=True)
            message = request["message"]
        except (ValueError, KeyError, TypeError) as err:
            return self.reply(422, {"message": f"Invalid request: {err}", "status": "422"})
        entry["branch"] = request.get("branch")
        entry["message"] = message
        with repo.lock:
            current = blob_sha(repo.content)
            if request.get("sha") != current:
                return self.reply(
                    409,
                    {"message": f"{repo.path} does not match {request.get('sha')}", "status": "409"},
                )
            repo.content = content
            repo.commits += 1
            number = repo.commits
        commit = hashlib.sha1(b"commit %d\0" % number + content).hexdigest()
        entry["commit"] = commit
        with open(f"{repo.written_dir}/{number}.md", "wb") as f:
            f.write(content)
        return self.reply(
            200,
            {
                "content": {"path": repo.path, "sha": blob_sha(content)},
                "commit": {
                    "sha": commit,
                    "html_url": f"https://github.com/{repo.owner_repo}/commit/{commit}",
                    "message": message,
                },
            },
        )

    def do_GET(self):
        self.handle_any("GET")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_DELETE(self):
        self.handle_any("DELETE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True, help="server certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="server private key (PEM)")
    parser.add_argument("--token", required=True, help="the token requests must carry")
    parser.add_argument("--repository", required=True, help="owner/name")
    parser.add_argument("--path", required=True, help="the file's path in the repository")
    parser.add_argument("--content", required=True, help="local file with its first version")
    parser.add_argument("--log", required=True, help="JSON lines log of requests")
    parser.add_argument("--written-dir", required=True, help="folder for committed versions")
    parser.add_argument("--port-file", required=True, help="receives the port once serving")
    args = parser.parse_args()

    Handler.repo = Repository(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
