"""Page arithmetic shared by every list: offset from page and size, and the page count."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def pages(self, total: int) -> int:
        return -(-total // self.size)  # ceiling division without floats
