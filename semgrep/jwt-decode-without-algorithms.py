import jwt


def examples(token, key):
    # ruleid: jwt-decode-without-algorithms
    jwt.decode(token, key)
    # ruleid: jwt-decode-without-algorithms
    jwt.decode(token, key, options={"verify_signature": False})
    # ok: jwt-decode-without-algorithms
    jwt.decode(token, key, algorithms=["HS256"])
