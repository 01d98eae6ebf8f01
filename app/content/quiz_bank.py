"""The question bank that ships with the app: questions on the fraud types of the district's
report (信贷理财, 刷单, 冒充客服, 杀猪盘, 购物消费, 冒充公检法), in Chinese, as residents read them.

A coordinator starts a quiz from these and edits it; `answer` holds the indexes of the right
choices (more than one: a multiple-choice question)."""

from __future__ import annotations

BANK: tuple[dict, ...] = (
    {
        "topic": "loan",
        "text": "网上贷款要求先交“保证金”“解冻费”才能放款，这是？",
        "choices": ["正规流程", "诈骗", "银行新规"],
        "answer": [1],
    },
    {
        "topic": "loan",
        "text": "对方说您的“征信有问题”，需要转账“刷流水”才能贷款，应该？",
        "choices": ["按要求转账", "挂断电话，不转账", "先转一小部分试试"],
        "answer": [1],
    },
    {
        "topic": "investment",
        "text": "陌生人拉您进群，老师带着炒股、炒币，保证稳赚高收益，这是？",
        "choices": ["投资理财诈骗", "内部消息", "难得的机会"],
        "answer": [0],
    },
    {
        "topic": "brushing",
        "text": "“动动手指点赞、刷单就能赚佣金”，先垫付后返利，这是？",
        "choices": ["兼职赚钱的好办法", "刷单返利诈骗", "平台福利"],
        "answer": [1],
    },
    {
        "topic": "brushing",
        "text": "刷单做任务，前几单都返了钱，后面要求加大垫付才能提现，应该？",
        "choices": ["继续垫付把钱拿回来", "立即停止并报警", "借钱继续做"],
        "answer": [1],
    },
    {
        "topic": "customer_service",
        "text": "自称“客服”来电说商品质量有问题要给您退款，要求您提供验证码，应该？",
        "choices": ["告诉对方验证码", "拒绝，到官方平台核实", "按对方指引操作"],
        "answer": [1],
    },
    {
        "topic": "customer_service",
        "text": "“客服”说您开通了“百万保障”“会员服务”，不关闭每月扣费，要求屏幕共享，应该？",
        "choices": ["开启屏幕共享", "挂断，通过官方渠道查询", "下载对方发来的会议软件"],
        "answer": [1],
    },
    {
        "topic": "romance",
        "text": "网上认识的“恋人”从不视频见面，却带您在某个网站投资赚钱，这很可能是？",
        "choices": ["真爱", "杀猪盘诈骗", "理财高手"],
        "answer": [1],
    },
    {
        "topic": "romance",
        "text": "以下哪些是“杀猪盘”常见的特征？（多选）",
        "choices": [
            "网上结识，嘘寒问暖",
            "引导到陌生平台投资",
            "前期小额获利可提现",
            "当面约见去银行办理",
        ],
        "answer": [0, 1, 2],
    },
    {
        "topic": "shopping",
        "text": "网购时卖家让您加微信、QQ私下付款，说价格更便宜，应该？",
        "choices": ["私下付款省钱", "坚持在购物平台内付款", "先付定金"],
        "answer": [1],
    },
    {
        "topic": "shopping",
        "text": "低价出售演唱会门票、游戏装备，要求先付款后发货，应该？",
        "choices": ["马上付款抢购", "通过正规平台交易", "让朋友帮忙付款"],
        "answer": [1],
    },
    {
        "topic": "police",
        "text": "“公安局”来电说您涉嫌洗钱，要求把钱转到“安全账户”配合调查，这是？",
        "choices": ["依法办案", "冒充公检法诈骗", "需要立刻配合"],
        "answer": [1],
    },
    {
        "topic": "police",
        "text": "关于公检法机关，下列说法正确的是？（多选）",
        "choices": ["不会通过电话办案", "不会要求转账到“安全账户”", "会在网上发“通缉令”让您查看"],
        "answer": [0, 1],
    },
    {
        "topic": "general",
        "text": "遇到疑似诈骗，可以拨打哪个反诈专线咨询？",
        "choices": ["96110", "12345", "10086"],
        "answer": [0],
    },
    {
        "topic": "general",
        "text": "以下哪些做法可以防范电信网络诈骗？（多选）",
        "choices": [
            "下载国家反诈中心APP",
            "不透露验证码和银行卡密码",
            "不点击陌生链接",
            "陌生来电让转账就转",
        ],
        "answer": [0, 1, 2],
    },
    {
        "topic": "general",
        "text": "发现自己被骗了，第一时间应该？",
        "choices": ["自认倒霉", "立即拨打110报警并保存证据", "找对方协商退款"],
        "answer": [1],
    },
)


def bank_questions(indexes=None) -> list[dict]:
    """Questions of the bank (all, or those at `indexes`), in the quiz's stored shape."""
    chosen = BANK if indexes is None else [BANK[i] for i in indexes if 0 <= i < len(BANK)]
    return [
        {"text": q["text"], "choices": list(q["choices"]), "answer": list(q["answer"])}
        for q in chosen
    ]
