"""Model fields for personal numbers: the value encrypted at rest, and its keyed index.

`EncryptedCharField` holds SM4-GCM ciphertext in the database while Python code sees the plaintext, so forms,
services, imports and exports need no change and cannot forget to encrypt. Because each ciphertext is randomised,
SQL cannot compare values: every lookup except `isnull` is refused, and exact search goes through the
`BlindIndexField` that sits beside it and is recomputed whenever the row is saved or bulk-created (bulk updates
and `update()` are covered by `PersonalDataQuerySet`).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .keys import sealer


class EncryptedCharField(models.CharField):
    description = "SM4 加密存储的文本"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 128)  # an 18-character ID number seals to 78 characters
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        # The associated data binds a ciphertext to its column: moved to another column it no longer opens.
        self.context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return sealer().open(value, self.context)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "":
            return value
        return sealer().seal(value, self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # ciphertexts cannot be compared: search through the keyed index


class BlindIndexField(models.CharField):
    """HMAC-SM3 of the normalised value of `source` (an EncryptedCharField of the same model)."""

    description = "个人信息的密钥索引"

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def index_of(self, value: str | None) -> str:
        source = self.model._meta.get_field(self.source)
        return sealer().index(value or "", source.context)

    def pre_save(self, model_instance: Any, add: bool) -> str:
        value = self.index_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def blind_index_fields(model: Any) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def with_index_fields(model: Any, update_fields: Any) -> list[str]:
    """`update_fields` plus the keyed index of every encrypted field in it (`save(update_fields=…)`)."""
    names = list(update_fields)
    for f in blind_index_fields(model):
        if f.source in names and f.name not in names:
            names.append(f.name)
    return names


class PersonalDataQuerySet(models.QuerySet):
    """Keeps the keyed indexes in step on the two writes that bypass `pre_save`, and looks numbers up by index."""

    def update(self, **kwargs: Any) -> int:
        for f in blind_index_fields(self.model):
            if f.source in kwargs and f.name not in kwargs:
                if hasattr(kwargs[f.source], "resolve_expression"):
                    raise ValueError(
                        f"{f.source} 以表达式更新时必须同时给出 {f.name}（密钥索引无法在数据库中计算）。"
                    )
                kwargs[f.name] = f.index_of(kwargs[f.source])
        return super().update(**kwargs)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        objs, fields = list(objs), list(fields)
        for f in blind_index_fields(self.model):
            if f.source in fields:
                for obj in objs:
                    setattr(obj, f.attname, f.index_of(getattr(obj, f.source)))
                if f.name not in fields:
                    fields.append(f.name)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def with_number(self, field: str, value: str) -> PersonalDataQuerySet:
        """Rows whose encrypted `field` equals `value` (after normalisation), found through its keyed index."""
        (index,) = (f for f in blind_index_fields(self.model) if f.source == field)
        return self.filter(**{index.name: index.index_of(value)})
