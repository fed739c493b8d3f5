"""The model zoo: timm key names, checkpoint loading and its errors, the shipped digits model."""

from __future__ import annotations

import pytest
import torch

from intvit.runtime.zoo import digits, vit


def test_deit_tiny_has_timm_keys_and_shapes():
    sd = vit.build_model("deit-tiny").state_dict()
    assert sd["patch_embed.proj.weight"].shape == (192, 3, 16, 16)
    assert sd["pos_embed"].shape == (1, 197, 192) and sd["cls_token"].shape == (1, 1, 192)
    assert sd["blocks.11.attn.qkv.weight"].shape == (576, 192)
    assert sd["blocks.0.mlp.fc1.weight"].shape == (768, 192)
    for key in ("norm.weight", "head.weight", "blocks.3.norm1.bias", "blocks.3.attn.proj.bias", "blocks.3.mlp.fc2.bias"):
        assert key in sd
    assert sum(p.numel() for p in vit.build_model("deit-tiny").parameters()) == 5_717_416


@pytest.mark.parametrize("name, dim, heads", [("deit-small", 384, 6), ("deit-base", 768, 12)])
def test_presets(name, dim, heads):
    cfg = vit.PRESETS[name]
    assert (cfg["embed_dim"], cfg["num_heads"], cfg["depth"], cfg["img_size"], cfg["patch_size"]) == (dim, heads, 12, 224, 16)


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
    with pytest.raises(vit.CheckpointError, match=r"missing keys \['head.bias'\].*unexpected keys \['extra.weight'\]"):
        vit.load_checkpoint(vit.build_model("digits-vit"), path)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"garbage")
    with pytest.raises(vit.CheckpointError, match="cannot read checkpoint"):
        vit.load_checkpoint(vit.build_model("digits-vit"), junk)


def test_shipped_digits_model_reaches_its_accuracy():
    x_train, y_train, x_test, y_test = digits.load_digits_split()
    assert (len(x_train), len(x_test)) == (1347, 450) and x_test.shape[1:] == (1, 8, 8)
    assert digits.fp32_accuracy(digits.load_trained(), x_test, y_test) == pytest.approx(97.11, abs=0.01)
