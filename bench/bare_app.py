"""The baseline: a bare Flask app rendering a small template, served the same way."""

from flask import Flask, render_template

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return render_template("bare.html", title="Hello", items=["one", "two", "three"])
