"""Pure integer cost arithmetic over shapes. No YAML, no rendering, no state.

A MAC is one multiply-accumulate. Every function here takes and returns plain integers so that results are
exact; ratios are the callers' business.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shape:
    channels: int
    height: int
    width: int

    @property
    def elements(self) -> int:
        return self.channels * self.height * self.width

    @property
    def spatial(self) -> int:
        return self.height * self.width

    def __str__(self) -> str:
        return f"{self.channels}×{self.height}×{self.width}"


def output_size(size: int, kernel: int, stride: int, padding: str | int, ceil_mode: bool = False) -> int:
    """Spatial output size of a sliding window.

    'same' is TensorFlow's rule, ⌈size / stride⌉, which PyTorch reproduces for odd kernels with padding
    (k-1)/2. 'valid' is no padding. An integer is explicit symmetric padding with PyTorch's rule (its
    `pooling_output_shape`): ⌊(size + 2·pad − kernel) / stride⌋ + 1, or with `ceil_mode` the division
    rounded up, less one when the last window would start in the right padding. Returns a value < 1 when the
    window does not fit; callers turn that into an error.
    """
    if padding == "same":
        return -(-size // stride)
    pad = 0 if padding == "valid" else int(padding)
    span = size + 2 * pad - kernel + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1  # floor division, as PyTorch's div_rtn, also for a negative span
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def conv_weights(in_channels: int, out_channels: int, kernel: int, groups: int = 1) -> int:
    return out_channels * (in_channels // groups) * kernel * kernel


def conv_macs(in_channels: int, out_channels: int, kernel: int, groups: int, out_spatial: int) -> int:
    return conv_weights(in_channels, out_channels, kernel, groups) * out_spatial


def fc_macs(in_features: int, out_features: int) -> int:
    return in_features * out_features


def make_divisible(value: float, divisor: int = 8, minimum: int | None = None) -> int:
    """Round to the nearest multiple of `divisor`, at least `minimum`, and never more than 10% below `value`.

    The rule of TF's MobileNetV2/MnasNet/MixNet/EfficientNet builders, torchvision's `_make_divisible` and
    timm's `make_divisible`.
    """
    minimum = divisor if minimum is None else minimum
    rounded = max(minimum, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def split_equal(total: int, groups: int) -> tuple[int, ...]:
    """Equal split, the remainder on the first group (TF MixNet's and timm's `_split_channels`)."""
    sizes = [total // groups] * groups
    sizes[0] += total - sum(sizes)
    return tuple(sizes)


def split_exponential(total: int, groups: int) -> tuple[int, ...]:
    """MixConv's exponential partition: group i takes 2^-(i+1) of the channels, the last takes the rest."""
    sizes = [total >> (i + 1) for i in range(groups - 1)]
    sizes.append(total - sum(sizes))
    return tuple(sizes)


SPLITS = {"equal": split_equal, "exponential": split_exponential}


def standard_conv_weights(groups: tuple[tuple[int, int], ...], out_channels: int) -> int:
    """Weights of the full convolution a (mixed) depthwise separable pair stands in for.

    `groups` are (channels, kernel) pairs of the depthwise layer; the full convolution gives each input
    channel group its own kernel size and connects it to every output channel: N · Σ M_i·k_i².
    """
    return out_channels * sum(channels * kernel * kernel for channels, kernel in groups)


def separable_ratio_formula(groups: tuple[tuple[int, int], ...], out_channels: int,
                            pointwise_groups: int = 1) -> float:
    """Closed form of separable cost / standard cost: 1/N + 1/(g·D̄k²).

    D̄k² = Σ M_i·k_i² / M is the channel-weighted mean of the squared kernel sizes; with one kernel size Dk
    and a dense pointwise conv (g = 1) this is the MobileNet paper's 1/N + 1/Dk². g is the pointwise
    convolution's groups as its channels are split (remainder on the first group): M·N / Σ m_j·n_j, which is
    the number of groups itself when it divides M and N.
    """
    channels = sum(m for m, _ in groups)
    mean_square_kernel = sum(m * k * k for m, k in groups) / channels
    pointwise_weights = sum(m * n for m, n in zip(split_equal(channels, pointwise_groups),
                                                  split_equal(out_channels, pointwise_groups)))
    effective_groups = channels * out_channels / pointwise_weights
    return 1 / out_channels + 1 / (effective_groups * mean_square_kernel)
