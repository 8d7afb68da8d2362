"""aiosmtpd's Mailbox handler (every accepted message goes into a Maildir), refusing some
recipients so the email tests can see how refusals are handled:
local part starting with "reject" -> 550 (permanent), with "tempfail" -> 451 (transient)."""
from aiosmtpd.handlers import Mailbox


class TestMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 Mailbox unavailable"
        if local.startswith("tempfail"):
            return "451 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
