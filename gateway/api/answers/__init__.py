"""The response cache's HTTP side: which answers may be kept, their keys, hits and 304s."""
