"""Personal data at rest: SM4-GCM encrypted columns with a keyed index (等保2.0, 个人信息保护法).

`fields.py` holds the two model fields; `keys.py` reads the key from the environment (never the database).
The cryptography itself is in the pure core, `shuangsuiji.codes.sealing`.
"""
