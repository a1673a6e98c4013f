"""Every change to plans, concerns, referrals, meetings and stories goes through here.

One module per area (as Zulip's ``zerver/actions/``): each ``do_*`` function
validates, saves in one transaction and raises ``ValidationError`` with a
message a user understands when the change is not allowed. Views and the API
call these; they never save plan objects themselves.
"""
