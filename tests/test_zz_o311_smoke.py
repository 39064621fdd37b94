import httpx, pytest
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_show(office):
    u = office.urls["intake"] + "/open311/v2"
    r = httpx.post(u + "/requests.xml", data={"api_key": "lianxin-web-portal", "service_code": "collective-petition", "address_string": "县政府 <门口> & \"x\" ]]>", "attribute[people_count]": "7", "attribute[gathering]": "no", "description": "line1\nline2 <script>&amp; </description>", "first_name": "Ann", "last_name": "Lee", "phone": "010-12345678"})
    print(r.status_code, r.headers["content-type"]); print(r.text)
    with office.client("intake") as s:
        print(s.post("/reports", json={"channel": "hotline", "township": "chengguan", "content": "bad \x01 char \ud800?".encode("utf-8", "surrogatepass").decode("utf-8", "replace") + "\x02", "reporter": {"name": "张三", "phone": "13900001111", "address": "城关镇东关社区5号"}, "location": "城关镇东关社区5号 门口"}).status_code)
    r = httpx.get(u + "/requests.xml"); print(r.text)
    import xml.etree.ElementTree as ET; ET.fromstring(r.content)
    print(httpx.get(u + "/requests.json").text)
