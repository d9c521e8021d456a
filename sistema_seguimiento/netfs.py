"""Is a path on a network share? SQLite's file locking is unreliable over SMB/CIFS and NFS (two PCs can both
believe they hold the write lock, and WAL needs shared memory that a share cannot give), so SES refuses to keep a
database there and tells the user to use the server mode or a local copy.

Linux: the file system type of the longest mount point that contains the path (``/proc/mounts``).
Windows: a UNC path (``\\\\servidor\\carpeta``) or a drive letter that Windows reports as a network drive.
"""
from __future__ import annotations

import os
from pathlib import Path

NETWORK_FS = {"cifs", "smb3", "smbfs", "nfs", "nfs4", "ncpfs", "afs", "9p", "fuse.sshfs", "davfs", "fuse.davfs2",
              "fuse.rclone", "ceph", "glusterfs", "fuse.glusterfs"}
MOUNTS_FILE = "/proc/mounts"


def _unescape(field: str) -> str:
    # /proc/mounts writes spaces, tabs, newlines and backslashes in octal (\040 …)
    out, i = [], 0
    while i < len(field):
        code = field[i + 1:i + 4]
        if field[i] == "\\" and len(code) == 3 and code.isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_type(path: str | os.PathLike, mounts_text: str | None = None) -> str | None:
    """File system type of the mount that holds ``path`` (Linux), or None when it cannot be told."""
    if mounts_text is None:
        try:
            mounts_text = Path(MOUNTS_FILE).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = Path(os.path.abspath(path))
    best, best_type = -1, None
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = Path(_unescape(parts[1]))
        if target == mount_point or mount_point in target.parents:
            depth = len(mount_point.parts)
            if depth > best:
                best, best_type = depth, parts[2]
    return best_type


def is_network_path(path: str | os.PathLike, mounts_text: str | None = None) -> bool:
    text = str(path)
    if os.name == "nt":  # pragma: no cover - Windows only
        if text.startswith(("\\\\", "//")):
            return True
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive:
            return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4  # DRIVE_REMOTE
        return False
    return (mount_type(text, mounts_text) or "") in NETWORK_FS
