"""Telling people what happens, by e-mail and SMS, and knowing each message went out.

The core is framework-free: ``templates`` (what is said, in the gettext catalogue), ``schedule`` (quiet
hours, retries), ``contacts`` (the port through which a recipient's address and choice of channels are
found). ``log`` is the delivery table a service mixes into its own models, ``channels`` the e-mail and SMS
adapters, ``sender`` the worker that sends what is due through a service's unit of work.

A delivery names its recipient by staff code or reporter pseudonym only: the address is looked up when
the message is sent, so no phone number or e-mail address is ever stored with it.
"""
