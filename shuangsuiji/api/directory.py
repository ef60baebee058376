from ninja import Router

router = Router(tags=["两库一单"])
