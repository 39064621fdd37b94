"""Photos and documents: what a file really is, its safe copies, content-addressed storage and serving.

Framework-free core (``inspection``, ``names``, ``errors``, ``keeping``, ``storage``) and adapters (``models``
for a service's database, ``serving`` for the HTTP edge, ``scanner`` for clamd, ``cli`` for `lianxin
attachments`). README "Photos and documents" says how a service wires them. Nothing is imported here, so
`lianxin` commands start without Pillow or boto3: import from the modules.
"""
