#!/usr/bin/env bash
# Installs Debian's PyTorch stack for training and export (idempotent).
set -euo pipefail
if /usr/bin/python3 -c "import torch, torchvision, onnx, numpy, PIL" 2>/dev/null; then
  exit 0
fi
echo "installing python3-torch python3-torchvision python3-onnx python3-numpy python3-pil with apt"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  python3-torch python3-torchvision python3-onnx python3-numpy python3-pil
