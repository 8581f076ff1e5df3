from broadsheet.cli import app

app(prog_name="broadsheet")
