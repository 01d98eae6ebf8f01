"""The admin's base map settings page: what is configured (the key cut), how to set up tiles."""

TIANDITU = (
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    "&tk=0123456789abcdef0123456789abcdef"
)


def test_admin_reads_the_map_settings_with_the_key_cut(app, district, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", TIANDITU)
    monkeypatch.setitem(app.config, "MAP_TILE_DATUM", "wgs84")
    client = login_as(district.admin)
    page = client.get("/admin/settings/maps").get_data(as_text=True)
    assert "tk=…cdef" in page and "0123456789abcdef0123" not in page
    assert "TILEMATRIX={z}&amp;TILEROW={y}" in page
    assert "天地图" in page and "高德" in page and "MAP_TILE_DATUM=gcj02" in page


def test_without_tiles_the_page_says_so(district, login_as):
    page = login_as(district.admin).get("/admin/settings/maps").get_data(as_text=True)
    assert "比例尺" in page  # no tiles: boundaries, names and a scale bar


def test_only_admins(district, login_as):
    for user in (district.leader, district.a.coordinator):
        assert login_as(user).get("/admin/settings/maps").status_code == 403
