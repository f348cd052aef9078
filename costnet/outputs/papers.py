"""Published figures that belong to no single spec: tables of the MobileNet paper about one network's parts.

Figures of whole networks live in the specs' `reported:` sections; these are the rest, as printed, with their
source. The reports set them beside costnet's exact counts.
"""

from __future__ import annotations

MOBILENETS = "Howard et al. 2017, MobileNets (arXiv 1704.04861)"

# Figures are kept as printed (strings), so that their printed precision decides whether they match.

# Table 2: resource per layer type, MobileNet 1.0 at 224. (type, Mult-Adds %, Parameters %)
TABLE_2 = (
    ("conv 1×1", "94.86", "74.59"),
    ("depthwise 3×3", "3.06", "1.06"),
    ("conv 3×3", "1.19", "0.02"),
    ("fully connected", "0.18", "24.33"),
)
TABLE_2_NOTES = {
    "conv 3×3": "printed 1.19: the digits of 1.91 transposed (the printed column sums to 99.29%, the exact one "
                "to 100%)",
}

# Table 3: one layer, D_K = 3, M = N = 512, D_F = 14. (step, Million Mult-Adds, Million Parameters)
TABLE_3_LAYER = (3, 512, 512, 14)
TABLE_3_ALPHA, TABLE_3_RHO = 0.75, 0.714
TABLE_3 = (
    ("Convolution", "462", "2.36"),
    ("Depthwise Separable Conv", "52.3", "0.27"),
    ("α = 0.75", "29.6", "0.15"),
    ("ρ = 0.714", "15.1", "0.15"),
)

# Table 4: (model, top-1 %, Million Mult-Adds, Million Parameters)
TABLE_4_CONV_MOBILENET = ("Conv MobileNet", "71.7", "4866", "29.3")
TABLE_4_NOTE = ("the convolutions alone: the classifier's MACs left out, as the paper's Table 8 counts VGG-16")

# Table 5: (model, top-1 %, Million Mult-Adds, Million Parameters)
TABLE_5_SHALLOW = ("Shallow MobileNet", "65.3", "307", "2.9")
TABLE_5_SHALLOW_NOTE = "the five 14 × 14 × 512 separable layers removed"
