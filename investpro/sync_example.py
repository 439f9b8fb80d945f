"""A reference REST client: keeps a local copy of InvestPro's project list in step, as JSON lines.

    python -m investpro.sync_example BASE_URL TOKEN DIR
    python sync_example.py https://investpro.example.gov.cn <token> ./copy    # the file alone, anywhere

Python 3.11 and its standard library only (urllib, json), so that a data office can copy this one
file and run it, or read it as the recipe for a client of its own. TOKEN comes from
`POST /api/v1/auth/token/ {"username", "password"}`; the copy holds exactly the projects that
token's user may see, as the list shows them.

The recipe (README, "Keeping a copy in step"):
1. The first time, a full pull: walk `GET /api/v1/projects/?cursor=&page_size=200`, following `next`
   until it is null, and keep the first page's `Sync-Horizon` header as the mark.
2. Every time after: walk `?updated_since=<mark>&cursor=` and upsert its rows by id (its first page's
   Sync-Horizon is the new mark); then `GET /api/v1/projects/removed/?since=<mark>` and drop its ids.
3. A 400 on a cursor (one older than the server's API_CURSOR_MAX_AGE, 7 days) restarts that walk.
   A 410 from `removed/` (the removal log was pruned after the mark, or the caller's own role or unit
   changed since) means the copy cannot be patched: do a full pull instead.

DIR holds `projects.jsonl` (one project a line, in id order) and `mark.json` (the mark and which
server and token it belongs to: another server or token starts again with a full pull). Each file is
replaced atomically (written beside, flushed to disk, renamed over), the copy before the mark: a
crash between the two leaves a newer copy with the older mark, and the next run applies the same
changes again, which changes nothing. The copy is held in memory while it is brought in step, each
project as its line of text (about 1.5 KB): 100,000 projects take some 250 MB. A copy of millions
belongs in a database (sqlite3 is in the standard library too).

Exit status: 0 in step; 1 the server refused or could not be reached (the message says why and
what to do); 2 the command line is wrong.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROJECTS = "/api/v1/projects/"
REMOVED = "/api/v1/projects/removed/"
PAGE_SIZE = 200  # the API's largest page
COPY_FILE, MARK_FILE = "projects.jsonl", "mark.json"
TIMEOUT = 60  # seconds to wait for one answer
WALK_ATTEMPTS = 3  # a walk restarted this often (stale cursors) is given up with a message
THROTTLE_WAITS = 5  # 429 answers waited out (Retry-After) in a row before giving up


# The copy: each project's JSON line (its text, not parsed: a third of the memory), by id.
Copy = dict[int, str]


class SyncError(Exception):
    """Something the person running the client must act on; its message says what."""


class StaleCursor(Exception):
    """The server refused a cursor (400 naming `cursor`): the walk starts again from its first page."""


class FullPullNeeded(Exception):
    """`removed/` answered 410: the copy cannot be brought in step by changes and removals."""


class Server:
    """GETs JSON from InvestPro with the token, turning its refusals into the exceptions above."""

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def url(self, path: str, params: dict[str, str]) -> str:
        return f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"

    def get(self, url: str) -> tuple[dict, dict[str, str]]:
        """The JSON body and the headers of a GET, waiting out a 429 as the server asks."""
        for _attempt in range(THROTTLE_WAITS):
            request = urllib.request.Request(
                url, headers={"Authorization": f"Token {self.token}", "Accept": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                    return json.load(response), dict(response.headers)
            except urllib.error.HTTPError as error:
                if error.code != 429:
                    raise self._refusal(error, url) from None
                time.sleep(_seconds(error.headers.get("Retry-After")))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                raise SyncError(
                    f"无法连接服务器 {self.base_url}（{reason}）：请检查地址与网络。/ cannot reach the server"
                ) from None
        raise SyncError("服务器持续限流（429）：请稍后再运行。/ still throttled, run again later")

    def _refusal(self, error: urllib.error.HTTPError, url: str) -> Exception:
        body = _json_or_empty(error)
        if error.code == 400 and "cursor" in body:
            return StaleCursor()
        if error.code == 410:
            return FullPullNeeded(body.get("detail", ""))
        if error.code == 401:
            return SyncError("令牌无效或已过期（401）：请用 POST /api/v1/auth/token/ 重新申请。/ bad or expired token")
        if error.code == 403:
            return SyncError("该令牌的用户无权读取项目列表（403）。/ this token may not read the project list")
        return SyncError(f"服务器拒绝了请求（{error.code}）：{body or error.reason} — {url}")


def _seconds(retry_after: str | None) -> int:
    """Retry-After in seconds (InvestPro sends whole seconds); a second when it says nothing usable."""
    return int(retry_after) if retry_after and retry_after.isdigit() else 1


def _json_or_empty(error: urllib.error.HTTPError) -> dict:
    try:
        body = json.loads(error.read() or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# --- The walks ------------------------------------------------------------------------------------


def walk(server: Server, params: dict[str, str]) -> tuple[Copy, str]:
    """Every row of a cursor walk of the project list by id, and the first page's Sync-Horizon (the
    mark). A row changed while the walk goes on comes again, later: the later one wins. A refused
    cursor starts the walk again from its first page (a few times, then a message)."""
    first = server.url(PROJECTS, {**params, "cursor": "", "page_size": str(PAGE_SIZE)})
    for _attempt in range(WALK_ATTEMPTS):
        rows: Copy = {}
        body, headers = server.get(first)
        mark = headers.get("Sync-Horizon")
        if not mark:
            raise SyncError("服务器未返回 Sync-Horizon 响应头：不是支持同步的 InvestPro 版本。/ no Sync-Horizon header")
        try:
            while True:
                rows.update((row["id"], line_of(row)) for row in body["results"])
                if body["next"] is None:
                    return rows, mark
                body, _headers = server.get(body["next"])
        except StaleCursor:
            continue
    raise SyncError(f"游标连续 {WALK_ATTEMPTS} 次被拒绝（已过期或被篡改），请稍后重试。/ cursors keep being refused")


def full_pull(server: Server) -> tuple[Copy, str]:
    return walk(server, {})


def changes_and_removals(server: Server, copy: Copy, mark: str) -> tuple[Copy, str, int]:
    """The copy brought in step from `mark`: changed rows upserted, then removed ids dropped; the new
    mark and how many rows were dropped. Raises FullPullNeeded when `removed/` refuses the mark."""
    changed, new_mark = walk(server, {"updated_since": mark})
    body, _headers = server.get(server.url(REMOVED, {"since": mark}))
    copy.update(changed)
    dropped = 0
    for project_id in body["ids"]:
        dropped += copy.pop(project_id, None) is not None
    return copy, new_mark, dropped


# --- The copy on disk -----------------------------------------------------------------------------


def _owner(server: Server) -> dict[str, str]:
    """Whose copy this is: the server and (a hash of) the token; another one starts with a full pull."""
    return {"base_url": server.base_url, "token_sha256": hashlib.sha256(server.token.encode()).hexdigest()}


def line_of(row: dict) -> str:
    """A project as its line in the copy: keys sorted, Chinese as written, so that equal rows are equal lines."""
    return json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


def load(directory: Path, server: Server) -> tuple[Copy, str] | None:
    """The stored copy and its mark, or None when there is none yet (or it is another server's or token's)."""
    try:
        state = json.loads((directory / MARK_FILE).read_text(encoding="utf-8"))
        if {key: state.get(key) for key in ("base_url", "token_sha256")} != _owner(server):
            return None
        with open(directory / COPY_FILE, encoding="utf-8") as lines:
            copy = {json.loads(line)["id"]: line for line in lines}
        return copy, state["mark"]
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):  # edited by hand: rebuilt rather than trusted
        print("本地副本无法读取，将重新全量同步。/ the stored copy is unreadable: a full pull", file=sys.stderr)
        return None


def save(directory: Path, server: Server, copy: Copy, mark: str) -> None:
    """The copy, then its mark, each replaced atomically (see the module's docstring)."""
    _replace(directory / COPY_FILE, (copy[key] for key in sorted(copy)))
    _replace(directory / MARK_FILE, [json.dumps({**_owner(server), "mark": mark}, ensure_ascii=False) + "\n"])


def _replace(path: Path, lines) -> None:
    """Write beside the file, flush it to disk, rename it over the old one: readers and a crash see
    the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            output.writelines(lines)
            output.flush()
            os.fsync(output.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # the rename itself reaches the disk (POSIX; Windows has no such call)
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


# --- The command ----------------------------------------------------------------------------------


def sync(base_url: str, token: str, directory: Path) -> str:
    """Bring the copy in DIR in step with the server; a line saying what was done."""
    server = Server(base_url, token)
    directory.mkdir(parents=True, exist_ok=True)
    stored = load(directory, server)
    reason = "首次同步 / first sync"
    if stored is not None:
        copy, mark = stored
        try:
            copy, new_mark, dropped = changes_and_removals(server, copy, mark)
        except FullPullNeeded as refusal:
            reason = f"需全量同步 / full pull needed: {refusal}"
        else:
            save(directory, server, copy, new_mark)
            return f"增量同步完成：{len(copy)} 个项目，移除 {dropped} 个。/ in step by changes (mark {new_mark})"
    copy, mark = full_pull(server)
    save(directory, server, copy, mark)
    return f"全量同步完成：{len(copy)} 个项目（{reason}）。/ in step by a full pull (mark {mark})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m investpro.sync_example",
        description="把 InvestPro 项目列表同步到本地 JSON Lines 副本 / keep a local copy of the project list in step",
    )
    parser.add_argument("base_url", metavar="BASE_URL", help="e.g. https://investpro.example.gov.cn")
    parser.add_argument("token", metavar="TOKEN", help="API 令牌 / an API token (POST /api/v1/auth/token/)")
    parser.add_argument("directory", metavar="DIR", type=Path, help="副本目录 / where the copy is kept")
    arguments = parser.parse_args(argv)
    if urllib.parse.urlsplit(arguments.base_url).scheme not in ("http", "https"):
        parser.error("BASE_URL 须以 http:// 或 https:// 开头 / must start with http:// or https://")
    try:
        print(sync(arguments.base_url, arguments.token, arguments.directory))
    except SyncError as error:
        print(f"同步失败 / sync failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
