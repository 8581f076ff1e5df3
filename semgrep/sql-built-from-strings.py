from sqlalchemy import text


async def examples(session, connection, name, table):
    # ruleid: sql-built-from-strings
    await session.execute(text(f"SELECT * FROM users WHERE username = '{name}'"))
    # ruleid: sql-built-from-strings
    text("SELECT * FROM users WHERE username = '%s'" % name)
    # ruleid: sql-built-from-strings
    text("SELECT * FROM {}".format(table))
    # ruleid: sql-built-from-strings
    connection.exec_driver_sql("DELETE FROM " + table)
    # ruleid: sql-built-from-strings
    await session.execute(f"SELECT {name}")
    # ok: sql-built-from-strings
    await session.execute(text("SELECT * FROM users WHERE username = :name"), {"name": name})
    # ok: sql-built-from-strings
    text("SELECT 1")
