"""The demo's pictures, drawn with Pillow: story illustrations and ad-slot artwork.

Every picture is made from shapes, so the demo ships no image files and no one's photographs.
The same seed always gives the same picture.
"""

import math
import random
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

W, H = 1600, 900


def _mix(a, b, t):
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))


def _gradient(draw, top, bottom, y0=0, y1=H):
    span = max(1, y1 - y0 - 1)
    for y in range(y0, y1):
        draw.line([(0, y), (W, y)], fill=_mix(top, bottom, (y - y0) / span))


def _circle(draw, x, y, r, fill):
    draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)


def _sun(draw, x, y, r, colour):
    for ring in range(6, 0, -1):
        _circle(draw, x, y, r + ring * 16, (*colour, 20))
    _circle(draw, x, y, r, colour)


def _ridge(draw, rng, base, amplitude, colour, waves=2.0):
    """A rolling hill line at ``base``, filled down to the bottom edge."""
    p1, p2 = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
    points = [
        (
            x,
            base
            - amplitude
            * (
                0.65 * math.sin(x / W * waves * math.tau + p1)
                + 0.35 * math.sin(x / W * waves * 2.7 * math.tau + p2)
            ),
        )
        for x in range(0, W + 40, 40)
    ]
    draw.polygon([(0, H), *points, (W, H)], fill=colour)


def _stars(draw, rng, y1, count=90):
    for _ in range(count):
        _circle(
            draw,
            rng.randrange(W),
            rng.randrange(y1),
            rng.choice((1, 1, 2)),
            (255, 255, 240, rng.randrange(90, 220)),
        )


def _water(
    img,
    draw,
    rng,
    top_y,
    top,
    bottom,
    reflect=0.4,
    ripple=(255, 255, 255, 45),
    ripples=140,
):
    """Fill below ``top_y`` with water that mirrors what was drawn above it."""
    _gradient(draw, top, bottom, top_y, H)
    depth = min(H - top_y, top_y)
    mirrored = img.crop((0, top_y - depth, W, top_y)).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM
    )
    img.paste(
        Image.blend(img.crop((0, top_y, W, top_y + depth)), mirrored, reflect),
        (0, top_y),
    )
    for _ in range(ripples):
        y = rng.randrange(top_y + 4, H)
        length = 16 + (y - top_y) * rng.uniform(0.1, 0.35)
        x = rng.randrange(-40, W)
        draw.line([(x, y), (x + length, y)], fill=ripple, width=2)


def _scene_floodwall(img, draw, rng):
    _gradient(draw, (54, 62, 78), (150, 156, 166), 0, 600)
    for _ in range(9):
        x, y = rng.randrange(W), rng.randrange(40, 260)
        draw.ellipse([x - 260, y - 60, x + 260, y + 60], fill=(40, 46, 60, 60))
    x = -30
    while x < W:
        width = rng.randrange(110, 140)
        top = 330 + rng.randrange(-10, 12)
        draw.rectangle(
            [x, top, x + width, 560],
            fill=rng.choice([(122, 82, 70), (134, 96, 80), (112, 78, 72)]),
        )
        draw.polygon(
            [(x - 4, top), (x + width / 2, top - 50), (x + width + 4, top)],
            fill=(58, 54, 62),
        )
        draw.rectangle(
            [x + width * 0.7, top - 70, x + width * 0.7 + 16, top - 20],
            fill=(78, 60, 58),
        )
        for floor in (top + 40, top + 130):
            for wx in (x + 20, x + width - 52):
                lit = rng.random() < 0.7
                draw.rectangle(
                    [wx, floor, wx + 32, floor + 44],
                    fill=(250, 212, 130) if lit else (70, 70, 84),
                )
        x += width
    draw.rectangle([0, 520, W, 640], fill=(170, 168, 158))
    draw.rectangle([0, 512, W, 526], fill=(196, 194, 184))
    _water(img, draw, rng, 580, (96, 106, 110), (48, 58, 66), reflect=0.3)
    for _ in range(450):
        x, y = rng.randrange(-100, W), rng.randrange(-50, H)
        draw.line([(x, y), (x + 14, y + 40)], fill=(220, 226, 235, 70), width=1)


def _scene_bridge(img, draw, rng):
    _gradient(draw, (40, 46, 96), (244, 150, 110), 0, 540)
    _sun(draw, 1260, 470, 50, (255, 204, 140))
    _ridge(draw, rng, 480, 30, (86, 64, 110))
    stone = (112, 86, 92)
    draw.polygon(
        [(0, 390), (220, 330), (1380, 330), (W, 390), (W, 540), (0, 540)], fill=stone
    )
    draw.rectangle([200, 306, 1400, 330], fill=(128, 100, 104))
    for cx, half, top in ((470, 140, 410), (800, 170, 380), (1130, 140, 410)):
        draw.ellipse(
            [cx - half, top, cx + half, top + 2 * (560 - top)], fill=(48, 40, 72)
        )
    for x in range(260, 1400, 190):
        draw.line([(x, 306), (x, 240)], fill=(44, 38, 52), width=5)
        _sun(draw, x, 236, 8, (255, 224, 160))
    _water(img, draw, rng, 540, (70, 64, 118), (28, 28, 60), reflect=0.5)


def _scene_factory(img, draw, rng):
    _gradient(draw, (98, 128, 190), (252, 178, 112), 0, 760)
    _sun(draw, 1160, 520, 90, (255, 228, 156))
    x = 0
    while x < W:
        width = rng.randrange(60, 130)
        draw.rectangle(
            [x, 760 - rng.randrange(90, 240), x + width, 760], fill=(184, 130, 122)
        )
        x += width + rng.randrange(0, 20)
    body = (96, 62, 72)
    draw.rectangle([240, 500, 1150, 760], fill=body)
    for tx in range(240, 1150, 100):
        draw.polygon([(tx, 500), (tx + 100, 420), (tx + 100, 500)], fill=(84, 54, 64))
        draw.rectangle([tx + 90, 430, tx + 98, 500], fill=(252, 206, 140))
    for row in (560, 640):
        for wx in range(270, 1120, 70):
            draw.rectangle(
                [wx, row, wx + 36, row + 40],
                fill=(252, 210, 140) if rng.random() < 0.75 else (70, 48, 58),
            )
    draw.rectangle([1210, 250, 1270, 760], fill=(82, 52, 62))
    for band in (300, 330):
        draw.rectangle([1206, band, 1274, band + 10], fill=(120, 80, 86))
    for step in range(14):
        r = 30 + step * 9
        _circle(
            draw,
            1240 + step * 34 + rng.randrange(-10, 10),
            220 - step * 14,
            r,
            (255, 255, 255, max(20, 150 - step * 9)),
        )
    _gradient(draw, (62, 40, 50), (36, 24, 32), 760, H)


def _scene_pitch(img, draw, rng):
    _gradient(draw, (22, 30, 70), (126, 92, 142), 0, 420)
    draw.polygon([(0, 420), (0, 300), (W, 260), (W, 420)], fill=(30, 30, 42))
    for _ in range(900):
        x = rng.randrange(W)
        y = rng.randrange(int(300 - 40 * x / W) + 10, 410)
        draw.point(
            (x, y),
            fill=rng.choice(
                [(200, 60, 60), (240, 240, 240), (90, 110, 200), (230, 190, 80)]
            ),
        )
    y, height, stripe = 420, 22, 0
    while y < H:
        draw.rectangle(
            [0, y, W, y + height], fill=(54, 142, 68) if stripe % 2 else (44, 124, 58)
        )
        y, height, stripe = y + height, height * 1.2, stripe + 1
    white = (240, 244, 236)
    draw.line([(0, 446), (W, 446)], fill=white, width=4)
    draw.line([(W // 2, 446), (W // 2, H)], fill=white, width=4)
    draw.ellipse([W // 2 - 300, 590, W // 2 + 300, 800], outline=white, width=4)
    _circle(draw, W // 2, 695, 6, white)
    for x in (110, 560, 1040, 1490):
        draw.line([(x, 420), (x, 90)], fill=(60, 62, 74), width=8)
        draw.rectangle([x - 40, 70, x + 40, 100], fill=(255, 252, 226))
        _sun(draw, x, 85, 10, (255, 252, 226))
        draw.polygon(
            [
                (x - 40, 100),
                (x + 40, 100),
                (W // 2 + (x - W // 2) * 0.4 + 260, H),
                (W // 2 + (x - W // 2) * 0.4 - 260, H),
            ],
            fill=(255, 250, 220, 18),
        )


def _scene_rowing(img, draw, rng):
    _gradient(draw, (168, 204, 236), (252, 232, 200), 0, 480)
    _sun(draw, 300, 330, 60, (255, 244, 206))
    _ridge(draw, rng, 420, 40, (118, 156, 128))
    _ridge(draw, rng, 462, 22, (78, 124, 92), waves=3)
    _water(img, draw, rng, 480, (128, 176, 204), (58, 108, 150), reflect=0.45)
    hull = [(400, 640), (1190, 630), (1210, 638), (420, 652)]
    draw.polygon([(x, 2 * 646 - y + 10) for x, y in hull], fill=(40, 40, 60, 60))
    draw.polygon(hull, fill=(184, 50, 50))
    for seat in range(8):
        x = 500 + seat * 82
        draw.line([(x, 640), (x - 70, 700)], fill=(240, 236, 226), width=4)
        draw.ellipse([x - 92, 694, x - 56, 708], fill=(30, 70, 140))
        draw.line([(x, 638), (x + 60, 604)], fill=(240, 236, 226), width=3)
        draw.rectangle([x - 10, 604, x + 8, 636], fill=(30, 70, 140))
        _circle(draw, x, 596, 10, (232, 190, 160))
    _circle(draw, 1160, 618, 10, (232, 190, 160))
    for i in range(10):
        draw.line(
            [(380 - i * 60, 648 + i * 4), (300 - i * 60, 650 + i * 6)],
            fill=(255, 255, 255, 90),
            width=2,
        )


def _scene_facade(img, draw, rng):
    _gradient(draw, (36, 22, 70), (196, 112, 150), 0, 760)
    _stars(draw, rng, 300, 60)
    _gradient(draw, (72, 60, 82), (44, 36, 56), 760, H)
    for i, (x0, x1) in enumerate(((330, 1270), (345, 1255), (360, 1240))):
        draw.rectangle(
            [x0, 760 - (3 - i) * 14, x1, 760 - (2 - i) * 14], fill=(200, 188, 168)
        )
    draw.rectangle([360, 380, 1240, 720], fill=(190, 174, 156))
    columns = [420 + i * 150 for i in range(6)]
    for left, right in zip(columns, columns[1:], strict=False):
        middle = (left + right) // 2 + 25
        if left == columns[2]:
            draw.rounded_rectangle(
                [middle - 48, 500, middle + 48, 720], radius=40, fill=(255, 204, 124)
            )
        else:
            draw.rounded_rectangle(
                [middle - 30, 460, middle + 30, 600], radius=26, fill=(255, 214, 146)
            )
    for x in columns:
        draw.rectangle([x, 380, x + 50, 700], fill=(230, 218, 196))
        draw.rectangle([x + 36, 380, x + 50, 700], fill=(204, 190, 168))
        draw.rectangle([x - 8, 690, x + 58, 720], fill=(222, 210, 188))
    draw.rectangle([340, 336, 1260, 380], fill=(232, 222, 200))
    draw.polygon([(340, 336), (800, 196), (1260, 336)], fill=(238, 228, 206))
    draw.polygon([(420, 326), (800, 222), (1180, 326)], fill=(214, 200, 178))
    draw.ellipse([560, 720, 1040, 840], fill=(255, 200, 120, 40))
    for x in (220, 1380):
        draw.line([(x, 800), (x, 560)], fill=(30, 24, 40), width=7)
        _sun(draw, x, 550, 14, (255, 224, 160))


def _scene_lanterns(img, draw, rng):
    _gradient(draw, (8, 12, 42), (46, 32, 86), 0, 660)
    _stars(draw, rng, 420)
    _ridge(draw, rng, 520, 40, (18, 20, 44))
    _ridge(draw, rng, 610, 12, (24, 28, 50), waves=1.5)
    colours = [
        (255, 204, 112),
        (255, 164, 92),
        (255, 232, 164),
        (250, 124, 124),
        (184, 222, 255),
    ]
    for i in range(64):
        x = 60 + i * 23 + rng.randrange(-8, 8)
        y = 600 + 26 * math.sin(x / 210) + rng.randrange(-14, 14)
        colour = rng.choice(colours)
        for r, alpha in ((44, 18), (30, 30), (18, 60)):
            _circle(draw, x, y, r, (*colour, alpha))
        _circle(draw, x, y, rng.randrange(6, 11), colour)
    _water(
        img,
        draw,
        rng,
        660,
        (14, 16, 46),
        (6, 8, 24),
        reflect=0.55,
        ripple=(255, 220, 160, 30),
        ripples=90,
    )


def _scene_meadow(img, draw, rng):
    _gradient(draw, (198, 220, 232), (252, 228, 182), 0, 530)
    _sun(draw, 1200, 430, 70, (255, 238, 184))
    _ridge(draw, rng, 430, 50, (152, 172, 146))
    _ridge(draw, rng, 480, 34, (118, 150, 100), waves=3)
    _ridge(draw, rng, 525, 8, (142, 180, 98), waves=1)
    left, right = [], []
    for y in range(520, H + 20, 20):
        t = (y - 520) / (H - 520)
        centre = 820 + 300 * math.sin(t * 3.4) * t
        half = 10 + 260 * t * t
        left.append((centre - half, y))
        right.append((centre + half, y))
    draw.polygon(left + right[::-1], fill=(144, 188, 208))
    for (x, y), (x2, _) in zip(left[2::3], right[2::3], strict=False):
        draw.line(
            [(x + (x2 - x) * 0.3, y), (x + (x2 - x) * 0.55, y)],
            fill=(230, 244, 250, 120),
            width=2,
        )
    for _ in range(160):
        x = rng.randrange(-20, W + 20)
        top = H - rng.randrange(70, 240)
        bend = rng.randrange(-30, 30)
        colour = rng.choice([(96, 122, 62), (122, 142, 72), (84, 108, 56)])
        draw.line(
            [(x, H), (x + bend / 2, (H + top) / 2), (x + bend, top)],
            fill=colour,
            width=3,
        )
        if rng.random() < 0.3:
            draw.ellipse(
                [x + bend - 5, top - 26, x + bend + 5, top + 4], fill=(128, 92, 60)
            )


def _scene_solar(img, draw, rng):
    _gradient(draw, (66, 136, 218), (184, 218, 246), 0, 640)
    for angle in range(0, 360, 20):
        a = math.radians(angle)
        draw.line(
            [
                (1320 + 110 * math.cos(a), 170 + 110 * math.sin(a)),
                (1320 + 170 * math.cos(a), 170 + 170 * math.sin(a)),
            ],
            fill=(255, 236, 150),
            width=6,
        )
    _sun(draw, 1320, 170, 80, (255, 238, 156))
    for cx, cy in ((300, 150), (700, 90), (980, 220)):
        for dx, dy, r in ((0, 0, 50), (50, -20, 60), (110, 0, 48)):
            _circle(draw, cx + dx, cy + dy, r, (255, 255, 255, 170))
    _gradient(draw, (112, 172, 82), (78, 138, 58), 640, H)
    draw.rectangle([200, 470, 1400, 680], fill=(206, 160, 122))
    for wx in range(240, 1360, 110):
        if 760 <= wx < 870:
            draw.rectangle([wx + 4, 560, wx + 76, 680], fill=(60, 96, 140))
        else:
            draw.rectangle([wx, 520, wx + 80, 600], fill=(176, 214, 236))
    front, back = (170, 1430, 470), (230, 1370, 330)
    draw.polygon(
        [
            (front[0], front[2]),
            (back[0], back[2]),
            (back[1], back[2]),
            (front[1], front[2]),
        ],
        fill=(92, 86, 96),
    )

    def roof_point(u, v):
        """Position on the roof plane: u across (0-1), v from front edge (0) to ridge (1)."""
        y = front[2] + (back[2] - front[2]) * v
        x0 = front[0] + (back[0] - front[0]) * v
        x1 = front[1] + (back[1] - front[1]) * v
        return (x0 + (x1 - x0) * u, y)

    cols, rows = 16, 3
    for c in range(cols):
        for r in range(rows):
            u0, u1 = 0.04 + c * 0.92 / cols, 0.04 + (c + 0.92) * 0.92 / cols
            v0, v1 = 0.08 + r * 0.86 / rows, 0.08 + (r + 0.9) * 0.86 / rows
            quad = [
                roof_point(u0, v0),
                roof_point(u1, v0),
                roof_point(u1, v1),
                roof_point(u0, v1),
            ]
            draw.polygon(quad, fill=(28, 50, 112), outline=(150, 172, 206))


def _scene_orchard(img, draw, rng):
    _gradient(draw, (212, 228, 240), (248, 240, 220), 0, 540)
    _ridge(draw, rng, 400, 40, (164, 188, 208))
    _ridge(draw, rng, 460, 30, (142, 176, 152), waves=3)
    draw.polygon([(0, 560), (W, 500), (W, H), (0, H)], fill=(124, 170, 84))
    for row, (base_y, scale) in enumerate(((600, 0.5), (730, 0.75), (900, 1.05))):
        count = 11 - row * 3
        for i in range(count):
            x = (i + 0.5) * W / count + rng.randrange(-30, 30) + (row % 2) * 40
            y = base_y - (x / W) * 50 * (1 - row / 3)
            trunk_h, canopy = 90 * scale, 75 * scale
            draw.rectangle(
                [x - 9 * scale, y - trunk_h, x + 9 * scale, y], fill=(112, 80, 56)
            )
            green = rng.choice([(70, 130, 60), (86, 148, 66), (60, 116, 56)])
            _circle(draw, x, y - trunk_h - canopy * 0.6, canopy, green)
            _circle(
                draw, x - canopy * 0.5, y - trunk_h - canopy * 0.3, canopy * 0.7, green
            )
            _circle(
                draw, x + canopy * 0.5, y - trunk_h - canopy * 0.3, canopy * 0.7, green
            )
            fruit = rng.choice([(206, 40, 44), (206, 40, 44), (236, 196, 64), None])
            if fruit:
                for _ in range(7):
                    fx = x + rng.uniform(-1, 1) * canopy
                    fy = y - trunk_h - canopy * 0.3 + rng.uniform(-0.8, 0.5) * canopy
                    _circle(draw, fx, fy, 7 * scale + 2, fruit)


SCENES = {
    "floodwall": _scene_floodwall,
    "bridge": _scene_bridge,
    "factory": _scene_factory,
    "pitch": _scene_pitch,
    "rowing": _scene_rowing,
    "facade": _scene_facade,
    "lanterns": _scene_lanterns,
    "meadow": _scene_meadow,
    "solar": _scene_solar,
    "orchard": _scene_orchard,
}


def draw_scene(scene: str, seed: str) -> bytes:
    """A 1600x900 JPEG illustration; the same seed always gives the same picture."""
    img = Image.new("RGB", (W, H))
    # An RGBA draw on an RGB image blends translucent fills, which gives glows and haze for free.
    draw = ImageDraw.Draw(img, "RGBA")
    SCENES[scene](img, draw, random.Random(seed))
    buffer = BytesIO()
    img.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except (
        TypeError,
        ImportError,
    ):  # Pillow without FreeType: the fixed-size bitmap font
        return ImageFont.load_default()


def _fitted_font(draw, text, max_width, size):
    while size > 10 and draw.textlength(text, font=_font(size)) > max_width:
        size -= 1
    return _font(size)


def _wrap(draw, text, font, max_width):
    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if draw.textlength(candidate, font=font) <= max_width or not lines[-1]:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def draw_ad(spec: dict) -> bytes:
    """A PNG advert: emblem, business name, slogan and a button, laid out for the slot's size."""
    w, h = spec["size"]
    colours = spec["colours"]
    background, accent, ink = colours["background"], colours["accent"], colours["text"]
    img = Image.new("RGB", (w, h), background)
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, w - 1, h - 1], outline=accent, width=3)
    initials = "".join(word[0] for word in spec["business"].split()[:2])
    button_font = _font(max(14, h // 9) if w > 2 * h else 18)
    left, top, right, bottom = draw.textbbox((0, 0), spec["action"], font=button_font)
    button_w, button_h = right - left + 40, bottom - top + 24

    if (
        w > 2 * h
    ):  # banner: emblem, then name over slogan, with the button beside or below them
        r = min(h * 0.3, 46)
        cx = 28 + r
        _circle(draw, cx, h / 2, r, accent)
        draw.ellipse(
            [cx - r + 7, h / 2 - r + 7, cx + r - 7, h / 2 + r - 7],
            outline=background,
            width=3,
        )
        draw.text(
            (cx, h / 2),
            initials,
            font=_font(int(r * 0.8)),
            fill=background,
            anchor="mm",
        )
        text_x = cx + r + 28
        wide = w >= 5 * h
        text_w = w - text_x - (button_w + 60 if wide else 30)
        name_font = _fitted_font(
            draw, spec["business"], text_w, int(h * (0.3 if wide else 0.24))
        )
        slogan_font = _fitted_font(
            draw, spec["slogan"], text_w, int(h * (0.15 if wide else 0.13))
        )
        name_y, slogan_y = (h * 0.46, h * 0.74) if wide else (h * 0.32, h * 0.52)
        draw.text(
            (text_x, name_y),
            spec["business"],
            font=name_font,
            fill=ink,
            anchor="ls",
            stroke_width=1,
            stroke_fill=ink,
        )
        # A phone-sized banner has no room for the slogan (the alt text still says it).
        if draw.textlength(spec["slogan"], font=slogan_font) <= text_w:
            draw.text(
                (text_x, slogan_y),
                spec["slogan"],
                font=slogan_font,
                fill=ink,
                anchor="ls",
            )
        bx0, by0 = (
            (w - button_w - 30, (h - button_h) / 2) if wide else (text_x, h * 0.63)
        )
    else:  # box: accent band with emblem, name, wrapped slogan, button
        draw.rectangle([0, 0, w, 64], fill=accent)
        _circle(draw, w / 2, 64, 30, background)
        draw.text((w / 2, 64), initials, font=_font(26), fill=accent, anchor="mm")
        name_font = _fitted_font(draw, spec["business"], w - 30, 28)
        draw.text(
            (w / 2, 122),
            spec["business"],
            font=name_font,
            fill=ink,
            anchor="ms",
            stroke_width=1,
            stroke_fill=ink,
        )
        slogan_font = _font(19)
        for i, line in enumerate(_wrap(draw, spec["slogan"], slogan_font, w - 40)):
            draw.text(
                (w / 2, 150 + i * 23), line, font=slogan_font, fill=ink, anchor="ms"
            )
        bx0, by0 = (w - button_w) / 2, h - button_h - 16
    draw.rounded_rectangle(
        [bx0, by0, bx0 + button_w, by0 + button_h], radius=button_h / 2, fill=accent
    )
    draw.text(
        (bx0 + button_w / 2, by0 + button_h / 2),
        spec["action"],
        font=button_font,
        fill=background,
        anchor="mm",
    )
    buffer = BytesIO()
    img.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


PORTRAIT = 240
SKIN = [(241, 204, 177), (224, 172, 138), (198, 134, 96), (141, 85, 54), (94, 58, 38)]
HAIR = [(40, 30, 24), (92, 60, 34), (180, 140, 80), (120, 120, 124), (150, 60, 40)]
BACKDROP = [(207, 222, 235), (230, 216, 200), (214, 230, 214), (232, 214, 226)]


def draw_portrait(seed: str) -> bytes:
    """A square JPEG head-and-shoulders drawing for an author (no one's photograph)."""
    rng = random.Random(seed)
    size = PORTRAIT
    backdrop = rng.choice(BACKDROP)
    img = Image.new("RGB", (size, size), backdrop)
    draw = ImageDraw.Draw(img)
    for y in range(size):
        draw.line(
            [(0, y), (size, y)], fill=_mix(backdrop, (255, 255, 255), y / size / 2)
        )
    skin, hair = rng.choice(SKIN), rng.choice(HAIR)
    coat = tuple(rng.randint(30, 140) for _ in range(3))
    cx = size / 2
    # Shoulders, neck, head, then hair over the top of the head.
    draw.ellipse([cx - 100, 168, cx + 100, 330], fill=coat)
    draw.rectangle([cx - 18, 140, cx + 18, 180], fill=_mix(skin, (0, 0, 0), 0.12))
    draw.ellipse([cx - 50, 52, cx + 50, 164], fill=skin)
    draw.chord([cx - 54, 40, cx + 54, 140], 180, 360, fill=hair)
    if rng.random() < 0.5:  # longer hair at the sides
        draw.rectangle([cx - 54, 88, cx - 40, 150], fill=hair)
        draw.rectangle([cx + 40, 88, cx + 54, 150], fill=hair)
    for dx in (-18, 18):
        _circle(draw, cx + dx, 108, 4, (40, 32, 30))
    draw.arc([cx - 16, 118, cx + 16, 140], 20, 160, fill=(120, 50, 50), width=3)
    buffer = BytesIO()
    img.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
