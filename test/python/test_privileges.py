"""Dropping privileges: every failure is an error, never a quiet carry-on as root
(mod_wsgi CVE-2014-8583, CVE-2014-0240)."""

import os
import unittest
from unittest import mock

from . import support  # noqa: F401  (puts the runtime package on sys.path)

from _wsgi_express import privileges
from _wsgi_express.privileges import PrivilegeError, drop_privileges


class DropPrivilegesTest(unittest.TestCase):
    def test_nothing_asked_nothing_done(self):
        with mock.patch.object(os, "setuid") as setuid:
            drop_privileges(None, None)
        setuid.assert_not_called()

    def test_refused_when_not_root(self):
        with mock.patch.object(os, "getuid", return_value=1000):
            with self.assertRaises(PrivilegeError):
                drop_privileges("nobody", None)

    def test_unknown_user_and_group(self):
        with mock.patch.object(os, "getuid", return_value=0):
            with self.assertRaisesRegex(PrivilegeError, "no such user"):
                drop_privileges("no-such-user-here", None)
            with self.assertRaisesRegex(PrivilegeError, "no such group"):
                drop_privileges(None, "no-such-group-here")

    def test_a_failing_call_is_fatal(self):
        for failing in ("initgroups", "setgid", "setuid"):
            with self.subTest(failing=failing), \
                    mock.patch.object(os, "getuid", return_value=0), \
                    mock.patch.object(os, "initgroups"), \
                    mock.patch.object(os, "setgid"), \
                    mock.patch.object(os, "setuid"), \
                    mock.patch.object(os, failing, side_effect=OSError(11, "EAGAIN")):
                with self.assertRaisesRegex(PrivilegeError, "EAGAIN"):
                    drop_privileges("nobody", None)

    def test_a_call_that_did_nothing_is_caught(self):
        # setuid "succeeding" without effect (the CVE-2014-0240 shape) is still an error.
        with mock.patch.object(os, "getuid", return_value=0), \
                mock.patch.object(os, "initgroups"), \
                mock.patch.object(os, "setgid"), \
                mock.patch.object(os, "setuid"), \
                mock.patch.object(os, "getgid", return_value=65534), \
                mock.patch.object(os, "getegid", return_value=65534):
            with self.assertRaises(PrivilegeError):
                drop_privileges("nobody", None)

    def test_exit_status_is_the_one_the_front_end_knows(self):
        self.assertEqual(privileges.EXIT_PRIVILEGES, 4)


if __name__ == "__main__":
    unittest.main()
