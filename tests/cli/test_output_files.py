"""``export -o`` writes through symbolic links and cleans up after a write that was killed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nogentech
from nogentech.cli import main
from nogentech.files import TEMP_SUFFIX, write_atomic

fcntl = pytest.importorskip("fcntl", reason="the temporary files are locked with flock (POSIX)")

LEFT_OVER = re.compile(r"\.cluster\.json\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


def test_writing_onto_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "feeds" / "cluster.json"
    real.parent.mkdir()
    real.write_bytes(b"old\n")
    real.chmod(0o640)
    link = tmp_path / "cluster.json"
    link.symlink_to(real)
    assert main(["export", "json", "-o", str(link)]) == 0
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_bytes() == nogentech.export(nogentech.load(), "json")
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["cluster.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cluster.json", "feeds"]


def test_a_chain_of_links_is_followed_to_the_file(tmp_path: Path) -> None:
    real = tmp_path / "real.ics"
    real.write_bytes(b"old\n")
    (tmp_path / "one.ics").symlink_to("real.ics")
    (tmp_path / "two.ics").symlink_to("one.ics")
    write_atomic(tmp_path / "two.ics", b"new\n")
    assert real.read_bytes() == b"new\n"
    assert (tmp_path / "two.ics").is_symlink() and (tmp_path / "one.ics").is_symlink()


KILLED_EXPORT = textwrap.dedent(
    """
    import os, signal, sys
    from nogentech.cli import main

    def killed(fd):
        os.kill(os.getpid(), signal.SIGKILL)

    os.fsync = killed
    main(["export", "json", "-o", sys.argv[1]])
    """
)


def test_the_temporary_file_of_a_killed_export_is_cleaned_by_the_next_write(
    tmp_path: Path,
) -> None:
    target = tmp_path / "cluster.json"
    target.write_bytes(b"previous\n")
    (tmp_path / ".other.json.abcdefgh.nogentech-tmp").write_bytes(b"another target's\n")
    (tmp_path / ".cluster.json.notmine.tmp").write_bytes(b"someone else's\n")
    done = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(target)], timeout=120, check=False
    )
    assert done.returncode == -9
    left = [p.name for p in tmp_path.iterdir() if LEFT_OVER.fullmatch(p.name)]
    assert len(left) == 1
    assert target.read_bytes() == b"previous\n"
    assert main(["export", "json", "-o", str(target)]) == 0
    assert target.read_bytes() == nogentech.export(nogentech.load(), "json")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".cluster.json.notmine.tmp",
        ".other.json.abcdefgh.nogentech-tmp",
        "cluster.json",
    ]


def test_the_temporary_file_of_a_write_under_way_is_left_alone(tmp_path: Path) -> None:
    """Another process still writing holds a lock on its temporary file."""
    target = tmp_path / "cluster.json"
    busy = tmp_path / f".cluster.json.a1b2c3d4{TEMP_SUFFIX}"
    busy.write_bytes(b"half")
    with busy.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        write_atomic(target, b"first\n")
        assert busy.exists()
    write_atomic(target, b"second\n")
    assert not busy.exists()
    assert target.read_bytes() == b"second\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_left_over_name_that_is_not_a_file_is_not_opened(tmp_path: Path) -> None:
    """A FIFO named like a temporary file: opening it must not wait for a writer."""
    fifo = tmp_path / f".cluster.json.zzzzzzzz{TEMP_SUFFIX}"
    os.mkfifo(fifo)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from nogentech.files import write_atomic; write_atomic(sys.argv[1], b'x')",
            str(tmp_path / "cluster.json"),
        ],
        timeout=30,
        check=False,
    )
    assert done.returncode == 0
    assert (tmp_path / "cluster.json").read_bytes() == b"x"
    assert fifo.exists()


def _zeros(size: int) -> bytes:
    return bytes(size)


def test_a_temporary_name_already_taken_is_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first name drawn is a link to another file: it is left as it is, and
    the write goes through a name drawn again."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"not yours\n")
    taken = tmp_path / f".cluster.json.aaaaaaaa{TEMP_SUFFIX}"
    taken.symlink_to(victim)
    draws = iter([bytes(8), bytes(range(1, 9))])
    monkeypatch.setattr(os, "urandom", lambda size: next(draws))
    write_atomic(tmp_path / "cluster.json", b"new\n")
    assert (tmp_path / "cluster.json").read_bytes() == b"new\n"
    assert victim.read_bytes() == b"not yours\n"
    assert taken.is_symlink() and os.readlink(taken) == str(victim)
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken.name, "cluster.json", "victim"]


def test_a_write_that_finds_no_free_temporary_name_fails_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "cluster.json"
    target.write_bytes(b"old\n")
    taken = tmp_path / f".cluster.json.aaaaaaaa{TEMP_SUFFIX}"
    taken.symlink_to(tmp_path / "nowhere")
    monkeypatch.setattr(os, "urandom", _zeros)
    with pytest.raises(FileExistsError, match="no free temporary name"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken.name, "cluster.json"]


def test_the_temporary_file_is_the_owners_alone_until_it_is_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        seen.append(os.fstat(fd).st_mode & 0o777)
        return real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "fdopen", fdopen)
    write_atomic(tmp_path / "cluster.json", b"new\n")
    assert seen == [0o600]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "cluster.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_write_imports_neither_tempfile_nor_what_it_brings(tmp_path: Path) -> None:
    """``tempfile`` imports ``shutil``, ``random`` and the compression modules:
    more time than the write of a small file takes."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from nogentech.files import write_atomic; write_atomic(sys.argv[1], b'x');"
            " print(sorted({'tempfile', 'shutil', 'random', 'bz2', 'lzma'} & set(sys.modules)))",
            str(tmp_path / "cluster.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == "[]\n"
    assert (tmp_path / "cluster.json").read_bytes() == b"x"
