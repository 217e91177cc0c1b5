"""LaTeX shown as Unicode, outside code, and never mistaken for money."""

from __future__ import annotations

from chatui.mathtext import has_math, render_math, to_unicode


def test_formulas_read_as_unicode():
    assert render_math(r"Roots: $x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}$.") == "Roots: x = (-b ±√(b²-4ac))/(2a)."
    assert render_math(r"Inline \(\alpha + \beta\) ok") == "Inline α+ β ok"
    assert "E = mc²" in render_math(r"\[E = mc^2\]")
    assert "∑" in render_math("$$\\sum_{i=1}^{n} i^2$$") and "ℝ" in to_unicode(r"x \in \mathbb{R}")
    assert to_unicode(r"\lim_{x \to 0} \sin x").startswith("lim")


def test_money_code_and_broken_latex_are_left_alone():
    assert render_math("It costs $5 and $10 today.") == "It costs $5 and $10 today."
    assert render_math("Code `$x^2$` and ``$y$`` stay.") == "Code `$x^2$` and ``$y$`` stay."
    assert render_math("no math here") == "no math here" and not has_math("no math here")
    assert "frac" in render_math(r"Broken $\frac{a}{$ here")  # unreadable: the source stays


def test_converted_math_cannot_become_markup():
    assert render_math("$a_1 * b_2$") == r"a₁ \* b₂"  # would otherwise start emphasis
