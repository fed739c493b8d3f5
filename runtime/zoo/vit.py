"""ViT / DeiT in plain PyTorch, with timm's `state_dict` key names (a local timm checkpoint loads
with `strict=True`).  Attention is written with explicit matmuls and softmax, not
`scaled_dot_product_attention`, so the exported graph shows the ops I-ViT quantizes.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

PRESETS: dict[str, dict] = {
    "deit-tiny": dict(img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=192, depth=12, num_heads=3),
    "deit-small": dict(img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=384, depth=12, num_heads=6),
    "deit-base": dict(img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=768, depth=12, num_heads=12),
    # The embedded default model: scikit-learn's 8x8 digits, 2x2 patches -> 16 tokens + cls.
    "digits-vit": dict(img_size=8, patch_size=2, in_chans=1, num_classes=10, embed_dim=64, depth=3, num_heads=4,
                       mlp_ratio=2.0),
}


_CONFIG_KEYS = ("img_size", "patch_size", "in_chans", "num_classes", "embed_dim", "depth", "num_heads", "mlp_ratio")


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or does not match the model (names the keys)."""


class PatchEmbed(nn.Module):
    def __init__(self, img_size: int, patch_size: int, in_chans: int, embed_dim: int):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    def __init__(self, img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=192, depth=12,
                 num_heads=3, mlp_ratio=4.0):
        super().__init__()
        self.example_input_shape = (1, in_chans, img_size, img_size)
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, embed_dim))
        self.blocks = nn.Sequential(*[Block(embed_dim, num_heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.head = nn.Linear(embed_dim, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


def build_model(name: str, num_classes: int | None = None, **overrides) -> VisionTransformer:
    """A preset of `PRESETS`, randomly initialized; `num_classes` and any constructor argument
    (`depth=1`, `img_size=32`, ...) override the preset."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset '{name}' (choose from {', '.join(PRESETS)})")
    unknown = sorted(set(overrides) - set(_CONFIG_KEYS))
    if unknown:
        raise ValueError(f"unknown model option(s) {unknown} (choose from {', '.join(_CONFIG_KEYS)})")
    config = {**PRESETS[name], **overrides}
    if num_classes is not None:
        config["num_classes"] = num_classes
    return VisionTransformer(**config)


def _listed(keys: list[str], limit: int = 8) -> str:
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return f"{keys[:limit]}{more}"


def load_checkpoint(model: nn.Module, path: str | Path) -> nn.Module:
    """Load a local checkpoint into `model` with `strict=True` semantics and return `model`.

    Accepts a raw `state_dict` or the timm/DeiT release format `{"model": state_dict}` (other
    entries of that dict, such as "epoch", are ignored).  Read with `weights_only=True`: no
    pickled code runs.  Every failure is a `CheckpointError` with a one-line message that names
    the missing and unexpected keys or the mismatched shapes, never a traceback from torch.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint file {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(f"cannot read checkpoint {path}: {first}") from None
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} does not hold a state_dict (found {type(state).__name__})")
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    if missing or extra:
        raise CheckpointError(
            f"checkpoint {path} does not match the model: {len(missing)} missing keys {_listed(missing)}, "
            f"{len(extra)} unexpected keys {_listed(extra)}"
        )
    not_tensors = sorted(k for k in own if not isinstance(state[k], torch.Tensor))
    if not_tensors:
        raise CheckpointError(f"checkpoint {path}: entries that are not tensors: {_listed(not_tensors)}")
    bad = [k for k in own if tuple(own[k].shape) != tuple(state[k].shape)]
    if bad:
        raise CheckpointError(f"checkpoint {path}: shape mismatch for {_listed(bad)} "
                              f"(e.g. {bad[0]}: model {list(own[bad[0]].shape)}, file {list(state[bad[0]].shape)})")
    try:
        model.load_state_dict(state, strict=True)
    except Exception as err:  # e.g. a dtype torch refuses to copy
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(f"checkpoint {path}: {first}") from None
    return model
