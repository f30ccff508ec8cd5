"""The three faces of the safety-production portal (安全生产综合信息门户).

- ``public``: 公共服务平台 at ``/`` for anonymous visitors (政务公开 columns, 在线举报 with tracking
  codes, progress pages, 好差评, search, feeds) and its machine API under ``/api/v1/public``;
- ``office``: 业务办公平台, the officers' home (inbox, deadlines this week, notices, shortcuts);
- ``decision``: 辅助决策平台, KPI blocks (and the reports' dashboards when they land).

Each face is an entry point in the group ``anjian.portals`` (see ``anjian.web.faces``); what it
shows comes from the ``*.portal.json`` declarations, read at request time. Public reads go through
``Access`` as the anonymous visitor (published records only) and show only the entity's declared
public projection; public writes go through the one record service and the workflow engine.
"""
