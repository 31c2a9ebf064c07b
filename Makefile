.PHONY: demo test check bench
demo:
	./scripts/demo
test:
	./scripts/test
check:
	./scripts/check
bench:
	LXERA_EXTRAS=dev,speech,supabase,bench ./scripts/test --co -q >/dev/null; .venv/bin/python -m bench.run_all
