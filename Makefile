.PHONY: demo test check bench
demo:
	./scripts/demo
test:
	./scripts/test
check:
	./scripts/check
bench:
	./scripts/test --co -q >/dev/null; PYTHONPATH=. .venv/bin/python -m bench.run_all
