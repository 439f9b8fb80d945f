"""The duplicate matcher (projects.selectors.duplicate_candidates) and its normalising.

Run on PostgreSQL too (DATABASE_URL=postgres://…): the same candidates are expected on both engines.
"""

import pytest

from accounts.models import Role
from projects.duplicates import normalise, probe_filter, probes, similarity, spellings
from projects.models import Project
from projects.selectors import duplicate_candidates
from tests.factories import ProjectFactory, UnitFactory, UserFactory


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("浙江华友钴业股份有限公司", "浙江华友钴业"),
        ("浙江 华友钴业（集团）有限公司", "浙江华友钴业"),
        ("华友钴业(中国)有限责任公司", "华友钴业"),
        ("华友钴业（中国）集团", "华友钴业"),
        ("ＡＢＢ（中国）有限公司", "abb"),
        ("Abb 集团", "abb"),
        ("  ", ""),
        (None, ""),
    ],
)
def test_normalise(raw, normalised):
    assert normalise(raw) == normalised


def test_similarity_is_fuzzy_and_partial():
    assert similarity("浙江华友钴业", "浙江华友钴业") == 100
    assert similarity("华友钴业", "浙江华友钴业") == 99  # long enough to count inside a longer name
    assert similarity("浙江华友钻业", "浙江华友钴业") >= 80  # one character mistyped
    assert similarity("华友", "浙江华友钴业") < 85  # two characters say nothing on their own
    assert similarity("浙江吉利汽车", "浙江华友钴业") < 85
    assert similarity("", "浙江华友钴业") == 0


def test_probes_skip_common_bigrams_and_stay_few():
    assert "项目" not in probes("年产10万吨锂电池正极材料项目")
    assert len(probes("年产10万吨锂电池正极材料及前驱体一体化生产基地项目")) <= 4
    # At most eight LIKE patterns a name: Chinese bigrams first, one bigram of letters at most.
    assert probes("alpha智能装备") == ["a智", "能装", "装备"]
    assert probes("qwertyrobotics") == ["qw"]
    assert sum(len(spellings(gram)) for gram in probes("xyz机器人12号")) <= 8
    assert probes("") == [] and probes("华") == []


def test_spellings_cover_case_and_full_width():
    assert set(spellings("ab")) == {"ab", "AB", "Ab", "aB", "ａｂ", "ＡＢ", "Ａｂ", "ａＢ"}
    assert set(spellings("5万")) == {"5万", "５万"}
    assert spellings("华友") == ["华友"]
    assert probe_filter("name", "") == probe_filter("investor", "")


@pytest.fixture
def world(db):
    home, other = UnitFactory(code="kecheng", name="柯城区"), UnitFactory(code="qujiang", name="衢江区")
    owner = UserFactory(role=Role.STAFF, unit=home, first_name="", last_name="", username="wangli")
    projects = {
        "huayou": ProjectFactory(
            name="华友钴业新能源材料项目", investor="浙江华友钴业股份有限公司", unit=home, owner=owner
        ),
        "fullwidth": ProjectFactory(name="锂电池项目", investor="ＨＵＡＹＯＵ（中国）有限公司", unit=other),
        "geely": ProjectFactory(name="吉利汽车零部件项目", investor="浙江吉利控股集团", unit=other),
        "secret": ProjectFactory(name="保密钴业项目", investor="浙江华友钴业集团", unit=other, confidential=True),
    }
    return home, other, projects


def _names(candidates):
    return [project.name for project in candidates]


def test_candidates_by_normalised_investor(world):
    home, _other, projects = world
    user = UserFactory(role=Role.STAFF, unit=home)
    found = duplicate_candidates(name="新项目", investor="浙江 华友钴业（集团）有限公司", user=user)
    assert _names(found) == ["华友钴业新能源材料项目"]
    candidate = found[0]
    assert candidate.duplicate_fields == ["investor"]
    assert candidate.unit.name == "柯城区" and candidate.get_stage_display() == "线索"
    assert candidate.owner.username == "wangli"


def test_candidates_by_fuzzy_name(world):
    home, _other, _projects = world
    user = UserFactory(role=Role.STAFF, unit=home)
    found = duplicate_candidates(name="华友钴业新能源材料", investor="", user=user)
    assert _names(found) == ["华友钴业新能源材料项目"]
    assert found[0].duplicate_fields == ["name"]


def test_full_width_and_case_are_found(world):
    home, _other, _projects = world
    user = UserFactory(role=Role.STAFF, unit=home)
    assert _names(duplicate_candidates(name="", investor="huayou", user=user)) == ["锂电池项目"]
    assert _names(duplicate_candidates(name="", investor="Huayou 集团", user=user)) == ["锂电池项目"]


def test_confidential_projects_of_another_unit_are_not_candidates(world):
    home, other, _projects = world
    outsider = UserFactory(role=Role.STAFF, unit=home)
    insider = UserFactory(role=Role.STAFF, unit=other)
    leader = UserFactory(role=Role.LEADER)
    investor = "浙江华友钴业有限公司"
    assert "保密钴业项目" not in _names(duplicate_candidates(name="", investor=investor, user=outsider))
    assert "保密钴业项目" in _names(duplicate_candidates(name="", investor=investor, user=insider))
    assert "保密钴业项目" in _names(duplicate_candidates(name="", investor=investor, user=leader))


def test_exclude_and_nothing_alike(world):
    home, _other, projects = world
    user = UserFactory(role=Role.STAFF, unit=home)
    huayou = projects["huayou"]
    found = duplicate_candidates(name=huayou.name, investor=huayou.investor, user=user, exclude_pk=huayou.pk)
    assert huayou.pk not in [project.pk for project in found]
    assert duplicate_candidates(name="完全不同的名字", investor="某某商贸", user=user) == []
    assert duplicate_candidates(name="", investor="", user=user) == []


def test_best_match_first_and_limit(world):
    home, _other, _projects = world
    user = UserFactory(role=Role.STAFF, unit=home)
    for number in range(5):
        ProjectFactory(name=f"华友钴业新能源材料项目{number}期", investor="", unit=home)
    found = duplicate_candidates(name="华友钴业新能源材料项目", investor="", user=user, limit=3)
    assert len(found) == 3
    assert found[0].name == "华友钴业新能源材料项目"
    assert [project.duplicate_score for project in found] == sorted(
        (project.duplicate_score for project in found), reverse=True
    )


def test_queries_do_not_grow_with_candidates(world, django_assert_num_queries):
    home, _other, _projects = world
    user = UserFactory(role=Role.STAFF, unit=home)
    with django_assert_num_queries(2):
        duplicate_candidates(name="华友钴业新能源材料项目", investor="", user=user)
    for number in range(8):
        ProjectFactory(name=f"华友钴业新能源材料项目{number}", investor="", unit=home)
    with django_assert_num_queries(2):
        assert len(duplicate_candidates(name="华友钴业新能源材料项目", investor="", user=user)) == 9


def test_same_candidates_as_a_full_python_scan(world):
    """The database's narrowing loses nothing the fuzzy score would keep, on this engine: compared with
    scoring every visible project in Python. (The same test runs on PostgreSQL in CI's second pass.)"""
    home, _other, _projects = world
    user = UserFactory(role=Role.STAFF, unit=home)
    for name, investor in [
        ("Ａｌｐｈａ智能装备项目", "ALPHA Robotics 有限公司"),
        ("alpha 智能装备二期", "Alpha Robotics"),
        ("年产5万吨锂电池项目", "杭州某某电池股份有限公司"),
    ]:
        ProjectFactory(name=name, investor=investor, unit=home)
    queries = [("alpha智能装备", ""), ("", "alpha robotics"), ("年产5万吨锂电池", "某某电池集团"), ("", "华友钴业")]
    for name, investor in queries:
        expected = set()
        for project in Project.objects.visible_to(user):
            score = max(
                similarity(normalise(name), normalise(project.name)),
                similarity(normalise(investor), normalise(project.investor)),
            )
            if score >= 85:
                expected.add(project.pk)
        found = {project.pk for project in duplicate_candidates(name=name, investor=investor, user=user, limit=100)}
        assert found == expected, (name, investor)
        assert found, (name, investor)
