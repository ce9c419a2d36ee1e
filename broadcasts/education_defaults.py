"""The built-in education calendar: one safety theme per month, in both languages, with a self-check.

These are content, not interface strings: officials edit them in the admin (an edited month is
stored as an EducationTheme row and wins over the default here).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    key: str
    en: str
    zh: str


@dataclass(frozen=True)
class DefaultTheme:
    title_en: str
    title_zh: str
    text_en: str
    text_zh: str
    checks: tuple[Check, ...]


DEFAULT_THEMES: dict[int, DefaultTheme] = {
    1: DefaultTheme(
        "Fire safety at home",
        "居家防火",
        "Heating season: keep heaters a metre from curtains and beds, switch them off when you go out, "
        "and test your smoke alarm.",
        "取暖季节：取暖器与窗帘、床铺保持一米以上距离，外出时关闭电源，并测试烟雾报警器。",
        (
            Check("smoke_alarm", "I tested my smoke alarm", "我测试了烟雾报警器"),
            Check("heater", "My heater stands clear of curtains and beds", "取暖器远离窗帘和床铺"),
        ),
    ),
    2: DefaultTheme(
        "Festival fireworks and crowds",
        "节日烟花爆竹与人员密集场所",
        "Set off fireworks only where it is allowed, never in stairwells or on balconies, and keep fire "
        "exits clear when family gathers.",
        "请在允许的地点燃放烟花爆竹，切勿在楼道或阳台燃放；亲友团聚时保持消防通道畅通。",
        (
            Check("fireworks", "We only use fireworks where allowed", "我们只在允许的地点燃放"),
            Check("exits", "Our stairwell and fire exit are clear", "楼道和安全出口畅通"),
        ),
    ),
    3: DefaultTheme(
        "Gas safety",
        "燃气安全",
        "Check the gas hose for cracks, close the valve when you go out, and open the window and leave "
        "at once if you smell gas. Do not switch anything on or off.",
        "检查燃气软管有无老化开裂，外出关闭阀门；闻到燃气味立即开窗离开，不要开关任何电器。",
        (
            Check("gas_hose", "I checked the gas hose", "我检查了燃气软管"),
            Check("gas_valve", "I close the gas valve when I go out", "外出时我会关闭燃气阀门"),
        ),
    ),
    4: DefaultTheme(
        "E-bike charging",
        "电动自行车安全充电",
        "Never charge an e-bike or its battery indoors, in corridors or stairwells. Use the charging "
        "points outside and the original charger, and unplug when it is full.",
        "严禁在室内、楼道、楼梯间为电动自行车或电池充电。请使用室外充电设施和原装充电器，充满即断电。",
        (
            Check("ebike_outside", "My e-bike is charged outside", "我的电动车在室外充电"),
            Check("charger", "I use the original charger", "我使用原装充电器"),
        ),
    ),
    5: DefaultTheme(
        "Traffic and helmets",
        "交通安全与头盔",
        "Wear a helmet on an e-bike or motorbike, keep children in a proper seat, and cross at crossings.",
        "骑电动车、摩托车请佩戴头盔，儿童乘车使用安全座椅，过马路走人行横道。",
        (
            Check("helmet", "I wear a helmet when I ride", "骑行时我佩戴头盔"),
            Check("child_seat", "Children ride in a proper seat", "孩子乘车使用安全座椅"),
        ),
    ),
    6: DefaultTheme(
        "Summer drowning prevention",
        "夏季防溺水",
        "No swimming in rivers, ponds or reservoirs without a lifeguard, never swim alone, and keep "
        "children within arm's reach near water.",
        "不到无救生员的江河、池塘、水库游泳，不独自游泳；孩子在水边须有大人看护、伸手可及。",
        (
            Check("water_rules", "My children know the rules near water", "孩子知道防溺水规则"),
            Check("lifeguard", "We swim only where there is a lifeguard", "我们只在有救生员的地方游泳"),
        ),
    ),
    7: DefaultTheme(
        "Electrical safety in the heat",
        "高温季节用电安全",
        "Air conditioners and fans run for hours: do not chain power strips, replace damaged cables, and "
        "switch off appliances you do not use.",
        "空调、电扇长时间运行：不要串接插线板，及时更换破损电线，不用的电器及时断电。",
        (
            Check("sockets", "No overloaded power strips at home", "家中没有超负荷的插线板"),
            Check("cables", "I replaced damaged cables", "我更换了破损电线"),
        ),
    ),
    8: DefaultTheme(
        "Typhoons and heavy rain",
        "台风与暴雨防范",
        "Secure or bring in things on balconies and windowsills, stay away from billboards and trees in "
        "strong wind, and keep a torch and water ready.",
        "固定或收回阳台、窗台上的物品，大风天远离广告牌和树木，备好手电筒和饮用水。",
        (
            Check("balcony", "Balcony objects are secured", "阳台物品已固定或收回"),
            Check("kit", "We have an emergency kit", "我们备有应急包"),
        ),
    ),
    9: DefaultTheme(
        "Safe way to school",
        "上学路上的安全",
        "Walk the school route with your child once, point out crossings and places to avoid, and make "
        "sure they know your phone number.",
        "陪孩子走一遍上学路线，指出人行横道和需要避开的地方，确保孩子记得家长电话。",
        (
            Check("route", "My child knows the safe route", "孩子熟悉安全路线"),
            Check("phone", "My child knows our phone number", "孩子记得家长电话"),
        ),
    ),
    10: DefaultTheme(
        "Fire safety in rented homes",
        "出租屋消防安全",
        "Rented rooms must have an escape route: no bars blocking windows, no goods stored in corridors, "
        "and no one sleeping in shops or workshops.",
        "出租屋必须有逃生通道：窗户不得被防盗网封死，楼道不堆放杂物，店铺和作坊内不住人。",
        (
            Check("escape_route", "Our home has a clear escape route", "我家有畅通的逃生通道"),
            Check("no_sleeping", "Nobody sleeps in our shop or workshop", "店铺、作坊内无人住宿"),
        ),
    ),
    11: DefaultTheme(
        "Fire Safety Day (9 November, 119)",
        "“119”消防宣传日",
        "Make a family escape plan with two ways out, learn to use a fire extinguisher, and call 119 "
        "as soon as you see a fire.",
        "制定有两条出路的家庭逃生计划，学会使用灭火器，发现火情立即拨打119。",
        (
            Check("extinguisher", "We have an extinguisher and know how to use it", "家中有灭火器且会使用"),
            Check("escape_plan", "We have a family escape plan", "我们制定了家庭逃生计划"),
        ),
    ),
    12: DefaultTheme(
        "Carbon monoxide in winter",
        "冬季预防一氧化碳中毒",
        "Never burn charcoal in a closed room, keep a window open a crack when heating with gas, and "
        "check that water heaters vent outdoors.",
        "切勿在密闭房间内烧炭取暖，燃气取暖时保持窗户微开，检查热水器排烟管通向室外。",
        (
            Check("no_charcoal", "We never burn charcoal indoors", "我们从不在室内烧炭取暖"),
            Check("ventilation", "I keep the room ventilated when heating", "取暖时我保持通风"),
        ),
    ),
}
