# Benchmark app "flask_json": a Flask view returning a 20-field JSON object, so the
# per-request cost of a real framework (routing, request/response objects) is included.
from flask import Flask, jsonify

app = Flask(__name__)

RECORD = {f"field_{i:02d}": (i if i % 2 else f"value {i}") for i in range(20)}


@app.route("/")
def index():
    return jsonify(RECORD)


application = app
