"""Dropping root's privileges before any application code runs (--user/--group,
--service-user/--service-group).

Every failure is fatal: mod_wsgi's CVE-2014-8583 (supplementary groups not dropped) and
CVE-2014-0240 (setuid failing with EAGAIN under RLIMIT_NPROC) came from carrying on as
root after a failed call. The caller exits with EXIT_PRIVILEGES, which the front end
recognises: it stops the server with an error instead of respawning the process.
"""

import grp
import os
import pwd

EXIT_PRIVILEGES = 4


class PrivilegeError(Exception):
    """The process could not become the user/group it was told to run as."""


def drop_privileges(user, group):
    """Becomes ``user`` (name or number) with ``group`` (default: the user's primary
    group) and exactly that user's supplementary groups. No-op when both are None."""
    if user is None and group is None:
        return
    if os.getuid() != 0:
        raise PrivilegeError("--user/--group need the server to be started as root")
    entry = _user_entry(user) if user is not None else None
    gid = _group_id(group) if group is not None else entry.pw_gid
    try:
        if entry is not None:
            os.initgroups(entry.pw_name, gid)
        else:
            os.setgroups([])
        os.setgid(gid)
        if entry is not None:
            os.setuid(entry.pw_uid)
    except OSError as error:
        raise PrivilegeError("cannot switch to user %r group %r: %s" % (user, group, error))
    _verify(entry, gid)


def _verify(entry, gid):
    # Trust nothing: check that the switch really happened and cannot be undone.
    if os.getgid() != gid or os.getegid() != gid:
        raise PrivilegeError("group is still %d after setgid(%d)" % (os.getgid(), gid))
    if entry is None:
        return
    if os.getuid() != entry.pw_uid or os.geteuid() != entry.pw_uid:
        raise PrivilegeError("user is still %d after setuid(%d)" % (os.getuid(), entry.pw_uid))
    if entry.pw_uid != 0:
        try:
            os.setuid(0)
        except OSError:
            return
        raise PrivilegeError("root privileges could be regained after setuid")


def _user_entry(user):
    try:
        return pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
    except (KeyError, ValueError):
        raise PrivilegeError("no such user: %r" % user)


def _group_id(group):
    try:
        return grp.getgrgid(int(group)).gr_gid if group.isdigit() else grp.getgrnam(group).gr_gid
    except (KeyError, ValueError):
        raise PrivilegeError("no such group: %r" % group)
