"""The model zoo: presets, timm key names, checkpoint loading and its errors, the shipped digits model."""

from __future__ import annotations

import pytest
import torch

from intvit.runtime.zoo import digits, vit

# The key layout of timm's VisionTransformer (DeiT release checkpoints use the same names).
_BLOCK_KEYS = ["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight",
               "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias",
               "mlp.fc2.weight", "mlp.fc2.bias"]


def timm_keys(depth: int) -> list[str]:
    return (["cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias"]
            + [f"blocks.{i}.{k}" for i in range(depth) for k in _BLOCK_KEYS]
            + ["norm.weight", "norm.bias", "head.weight", "head.bias"])


@pytest.fixture(scope="module")
def deit_tiny():
    return vit.build_model("deit-tiny")


def test_deit_tiny_has_timm_keys_and_shapes(deit_tiny):
    sd = deit_tiny.state_dict()
    assert list(sd) == timm_keys(12)
    assert sd["patch_embed.proj.weight"].shape == (192, 3, 16, 16)
    assert sd["pos_embed"].shape == (1, 197, 192) and sd["cls_token"].shape == (1, 1, 192)
    assert sd["blocks.11.attn.qkv.weight"].shape == (576, 192)
    assert sd["blocks.0.mlp.fc1.weight"].shape == (768, 192)
    assert sd["head.weight"].shape == (1000, 192)
    assert sum(p.numel() for p in deit_tiny.parameters()) == 5_717_416  # timm's deit_tiny_patch16_224


def test_deit_tiny_strict_load_of_its_own_state_dict_in_both_formats(deit_tiny, tmp_path):
    for name, payload in (("raw.pth", deit_tiny.state_dict()), ("release.pth", {"model": deit_tiny.state_dict(),
                                                                               "epoch": 299})):
        torch.save(payload, tmp_path / name)
        other = vit.build_model("deit-tiny")
        loaded = vit.load_checkpoint(other, tmp_path / name)
        assert loaded is other
        for k, v in deit_tiny.state_dict().items():
            assert torch.equal(v, other.state_dict()[k]), k
    # load_checkpoint is exactly torch's strict load
    vit.build_model("deit-tiny").load_state_dict(deit_tiny.state_dict(), strict=True)


@pytest.mark.parametrize("name, dim, heads, depth, img, patch, classes", [
    ("deit-tiny", 192, 3, 12, 224, 16, 1000),
    ("deit-small", 384, 6, 12, 224, 16, 1000),
    ("deit-base", 768, 12, 12, 224, 16, 1000),
    ("digits-vit", 64, 4, 3, 8, 2, 10),
])
def test_presets(name, dim, heads, depth, img, patch, classes):
    cfg = vit.PRESETS[name]
    assert (cfg["embed_dim"], cfg["num_heads"], cfg["depth"], cfg["img_size"], cfg["patch_size"],
            cfg["num_classes"]) == (dim, heads, depth, img, patch, classes)


def test_build_model_overrides_and_forward_shapes():
    model = vit.build_model("deit-tiny", num_classes=7, depth=1, img_size=32)
    assert model.state_dict()["head.weight"].shape == (7, 192)
    assert model.state_dict()["pos_embed"].shape == (1, 5, 192)
    assert list(model.state_dict()) == timm_keys(1)
    with torch.no_grad():
        assert model.eval()(torch.zeros(2, 3, 32, 32)).shape == (2, 7)
        assert vit.build_model("digits-vit").eval()(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    with pytest.raises(ValueError, match="unknown preset 'vit-huge'"):
        vit.build_model("vit-huge")
    with pytest.raises(ValueError, match=r"unknown model option\(s\) \['heads'\]"):
        vit.build_model("deit-tiny", heads=4)


def test_attention_is_explicit_and_matches_sdpa():
    """Explicit q @ k^T * scale, softmax, @ v (so the export shows them) equals PyTorch's SDPA."""
    torch.manual_seed(0)
    attn = vit.build_model("digits-vit").blocks[0].attn.eval()
    x = torch.randn(2, 17, 64)
    b, n, c = x.shape
    q, k, v = attn.qkv(x).reshape(b, n, 3, 4, 16).permute(2, 0, 3, 1, 4).unbind(0)
    ref = attn.proj(torch.nn.functional.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, n, c))
    with torch.no_grad():
        torch.testing.assert_close(attn(x), ref.detach(), rtol=1e-5, atol=1e-6)
    blk = vit.build_model("digits-vit").blocks[0]
    assert blk.norm1.eps == blk.norm2.eps == 1e-6 and blk.mlp.act.approximate == "none"


def test_checkpoint_round_trip_in_timm_release_format(tmp_path):
    model = vit.build_model("digits-vit")
    path = tmp_path / "ck.pth"
    torch.save({"model": model.state_dict()}, path)
    loaded = vit.load_checkpoint(vit.build_model("digits-vit"), path)
    for k, v in model.state_dict().items():
        assert torch.equal(v, loaded.state_dict()[k])


def test_checkpoint_errors_name_the_keys(tmp_path):
    sd = vit.build_model("digits-vit").state_dict()
    sd.pop("head.bias")
    sd["extra.weight"] = torch.zeros(1)
    path = tmp_path / "bad.pt"
    torch.save(sd, path)
    with pytest.raises(vit.CheckpointError, match=r"1 missing keys \['head.bias'\], 1 unexpected keys \['extra.weight'\]"):
        vit.load_checkpoint(vit.build_model("digits-vit"), path)
    # a deeper model: many missing keys are counted, the first ones named
    with pytest.raises(vit.CheckpointError, match=r"12 missing keys \['blocks.3.attn.proj.bias'.*\] and 4 more"):
        vit.load_checkpoint(vit.build_model("digits-vit", depth=4), digits.CHECKPOINT)
    with pytest.raises(vit.CheckpointError, match=r"shape mismatch for \['head.weight', 'head.bias'\]"):
        vit.load_checkpoint(vit.build_model("digits-vit", num_classes=5), digits.CHECKPOINT)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"garbage")
    with pytest.raises(vit.CheckpointError, match="cannot read checkpoint"):
        vit.load_checkpoint(vit.build_model("digits-vit"), junk)
    with pytest.raises(vit.CheckpointError, match="no checkpoint file"):
        vit.load_checkpoint(vit.build_model("digits-vit"), tmp_path / "absent.pt")
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(vit.CheckpointError, match=r"does not hold a state_dict \(found list\)"):
        vit.load_checkpoint(vit.build_model("digits-vit"), tmp_path / "list.pt")


def test_checkpoint_error_is_one_line_without_torch_traceback(tmp_path):
    sd = vit.build_model("digits-vit").state_dict()
    sd["head.bias"] = 3  # not a tensor
    torch.save(sd, tmp_path / "odd.pt")
    with pytest.raises(vit.CheckpointError) as info:
        vit.load_checkpoint(vit.build_model("digits-vit"), tmp_path / "odd.pt")
    assert "not tensors: ['head.bias']" in str(info.value) and "\n" not in str(info.value)
    assert info.value.__cause__ is None and (info.value.__context__ is None or info.value.__suppress_context__)


def test_digits_split_is_fixed_and_normalized():
    x_train, y_train, x_test, y_test = digits.load_digits_split()
    assert (len(x_train), len(x_test)) == (1347, 450) and x_test.shape[1:] == (1, 8, 8)
    assert x_train.dtype == x_test.dtype == "float32" and 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert sorted(set(y_test.tolist())) == list(range(10)) and y_test.dtype.kind == "i"
    again = digits.load_digits_split()
    assert (again[3] == y_test).all() and (again[2] == x_test).all()


def test_shipped_digits_model_reaches_its_accuracy():
    assert digits.CHECKPOINT.stat().st_size < 1_000_000
    _, _, x_test, y_test = digits.load_digits_split()
    assert digits.fp32_accuracy(digits.load_trained(), x_test, y_test) == pytest.approx(97.11, abs=0.01)
