"""The network address policy: which hosts and addresses twinwatch may fetch from.

Plain Python over :mod:`ipaddress`; the spiders' resolver applies it, monitor's own
checks (``sources add``) call it. No sockets are opened here.
"""
